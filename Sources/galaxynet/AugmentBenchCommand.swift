import ArgumentParser
import GalaxyBenchmarks
import GalaxyImaging

/// `galaxynet bench augment`: the input pipeline's cost per image on one core, and the
/// realtime pipeline's throughput with 1 and 2 workers.
struct AugmentBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Per-image cost of decode, source extraction, warps, colour and parts on one core; pipeline images/s with 1 and 2 workers.")

    @OptionGroup var source: BenchImageOptions
    @Option(help: "Images timed per stage (cycled).") var count = 200
    @Option(help: "Resampling mode (faithful | antiAliased).") var mode: ResamplingMode = .faithful
    @OptionGroup var output: JSONOptions

    func validate() throws { guard count > 0 else { throw ValidationError("--count must be positive") } }

    func run() throws {
        let report = try AugmentBenchmark(mode: mode).measure(paths: try source.paths(count: count))
        if output.json { try output.print(report) } else { print(report.text) }
    }
}
