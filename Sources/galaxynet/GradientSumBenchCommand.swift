import ArgumentParser
import GalaxyCore
import GalaxyDistributed
import GalaxyKernels
import GalaxyNetwork

/// `galaxynet bench gradient-sum`: one update's gradient sum alone, under an MPI launcher.
struct GradientSumBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradient-sum",
        abstract: "Time one update's gradient sum over MPI ranks (a model's gradients in training's buckets, nothing to hide it behind): run under mpirun or srun with 2 or more ranks.",
        discussion: "Training prints the wait after the backward pass; 1 − wait / this time is the share of the sums hidden behind the backward pass (docs/distributed.md).")

    @Option(help: "Model name or JSON configuration whose parameters are summed.") var model = "best"
    @Option(help: "Timed sums (after one untimed).") var repeats = 5
    @Option(help: "Floats per bucket (training's default: 4194304).") var bucketFloats: Int?
    @OptionGroup var output: JSONOptions

    func validate() throws {
        guard repeats > 0, (bucketFloats ?? 1) > 0 else { throw ValidationError("--repeats and --bucket-floats must be positive") }
    }

    func run() throws {
        guard Launcher.isMPI else {
            throw ValidationError("bench gradient-sum measures communication between processes: start it with mpirun -np 2 (or srun) and 2 or more ranks")
        }
        let group = MPIProcessGroup.world
        guard group.size > 1 else { throw ValidationError("bench gradient-sum needs 2 or more ranks; this launcher started 1") }
        if let bucketFloats { group.bucketFloats = bucketFloats }
        var generator = SeededGenerator(seed: 1)
        let network = GalaxyModel(try ModelConfiguration.named(model), generator: &generator, backend: OneDNNBackend.sharedFast)
        let report = GradientSumBenchmark(gradients: network.parameters.map(\.value)).measure(group: group, repeats: repeats)
        guard group.rank == 0 else { return }
        if output.json { try output.print(report) } else { print(report.text) }
    }
}
