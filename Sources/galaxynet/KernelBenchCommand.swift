import ArgumentParser
import GalaxyBenchmarks
import GalaxyNetwork

/// `galaxynet bench kernels`: a model's layers at 16 parts per image, forward and backward,
/// against the same run's sgemm.
struct KernelBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Per-layer forward/backward time and GFLOP/s of a model (the winning net unless told), with the same-run sgemm peak.")

    @Option(help: "Model name or JSON configuration.") var model = "best"
    @OptionGroup var compute: BackendOptions
    @Option(help: "Images per batch; the conv stack sees 16 parts per image.") var images: Int = 16
    @Option(help: "Timed runs per measurement (the median is reported).") var runs: Int = 5
    @Option(help: "Size n of the n×n×n sgemm that measures the machine's peak.") var sgemmSize: Int = 4096
    @OptionGroup var output: JSONOptions

    func validate() throws {
        guard images > 0, runs > 0, sgemmSize > 0 else { throw ValidationError("--images, --runs and --sgemm-size must be positive") }
    }

    func run() throws {
        let report = KernelBenchmark(configuration: try ModelConfiguration.named(model), backend: compute.backend.backend,
                                     images: images, runs: runs, sgemmSize: sgemmSize).measure()
        if output.json { try output.print(report) } else { print(report.table) }
    }
}
