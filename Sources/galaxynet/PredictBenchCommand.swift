import ArgumentParser
import GalaxyBenchmarks
import GalaxyNetwork

/// `galaxynet bench predict`: inference speed with test-time averaging.
struct PredictBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict",
        abstract: "Images/s of prediction with 60-way test-time averaging (a fresh model: speed does not depend on the weights).")

    @Option(help: "Model name or JSON configuration.") var model = "best"
    @OptionGroup var source: BenchImageOptions
    @Option(help: "Images to predict.") var count = 8
    @OptionGroup var augmentation: TTAOptions
    @OptionGroup var compute: BackendOptions
    @OptionGroup var output: JSONOptions

    func validate() throws { guard count > 0 else { throw ValidationError("--count must be positive") } }

    func run() throws {
        let benchmark = PredictBenchmark(configuration: try ModelConfiguration.named(model), backend: compute.backend.backend, tta: augmentation.tta)
        let report = try benchmark.measure(paths: try source.paths(count: count))
        if output.json { try output.print(report) } else { print(report.text) }
    }
}
