import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyPrediction
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

    struct Report: Codable { var model: String; var tta: Int; var images: Int; var seconds: Double; var images_per_second: Double; var transforms_per_second: Double }

    func run() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        let paths = try source.paths(count: count)
        var g = SeededGenerator(seed: 1)
        let configuration = try ModelConfiguration.named(model)
        let predictor = Predictor(model: GalaxyModel(configuration, generator: &g, backend: compute.backend.backend), tta: augmentation.tta)
        _ = try predictor.predict(paths: Array(paths.prefix(1)))  // warm the primitive cache
        let start = Date()
        _ = try predictor.predict(paths: paths)
        let seconds = Date().timeIntervalSince(start), tta = augmentation.tta.rawValue
        let report = Report(model: configuration.name, tta: tta, images: count, seconds: seconds,
                            images_per_second: Double(count) / seconds, transforms_per_second: Double(count * tta) / seconds)
        if output.json { return try output.print(report) }
        print(String(format: "%@ with %d-way test-time averaging: %.2f images/s (%.1f transformed images/s, %d images in %.1f s)",
                     configuration.name, tta, report.images_per_second, report.transforms_per_second, count, seconds))
    }
}
