import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyZoo
import GalaxyPrediction
import GalaxyNetwork

/// `galaxynet bench predict`: inference speed with test-time averaging.
struct PredictBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict",
        abstract: "Images/s of prediction with 60-way test-time averaging (a fresh model: speed does not depend on the weights).")

    @Option(help: "Model name or JSON configuration.") var model = "best"
    @Option(help: "Folder of 424×424 JPEGs.") var images = "../shared/data/sdss-dev/images"
    @Option(help: "Images to predict.") var count = 8
    @Option(help: "Test-time transforms (60 or 1).") var tta = 60
    @Flag(help: "Print one JSON object.") var json = false

    struct Report: Codable { var model: String; var tta: Int; var images: Int; var seconds: Double; var images_per_second: Double; var transforms_per_second: Double }

    func run() throws {
        guard tta == 1 || tta == 60, count > 0 else { throw ValidationError("--tta must be 60 or 1 and --count positive") }
        let names = try FileManager.default.contentsOfDirectory(atPath: images).filter { $0.hasSuffix(".jpg") }.sorted()
        guard !names.isEmpty else { throw ValidationError("\(images) holds no .jpg files") }
        let paths = (0..<count).map { "\(images)/\(names[$0 % names.count])" }
        var g = SeededGenerator(seed: 1)
        let configuration = try ModelConfiguration.named(model)
        let predictor = Predictor(model: GalaxyModel(configuration, generator: &g, backend: BackendChoice.onednn.backend),
                                  backend: BackendChoice.onednn.backend, tta: tta)
        _ = try predictor.predict(paths: Array(paths.prefix(1)))  // warm the primitive cache
        let start = Date()
        _ = try predictor.predict(paths: paths)
        let seconds = Date().timeIntervalSince(start)
        let report = Report(model: configuration.name, tta: tta, images: count, seconds: seconds,
                            images_per_second: Double(count) / seconds, transforms_per_second: Double(count * tta) / seconds)
        if json { print(String(decoding: try JSONEncoder.sortedPretty.encode(report), as: UTF8.self)); return }
        print(String(format: "%@ with %d-way test-time averaging: %.2f images/s (%.1f transformed images/s, %d images in %.1f s)",
                     configuration.name, tta, report.images_per_second, report.transforms_per_second, count, seconds))
    }
}
