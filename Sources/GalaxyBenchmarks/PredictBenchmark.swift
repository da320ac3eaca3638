import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyNetwork
import GalaxyPrediction

/// Inference speed with test-time averaging, on a fresh model (speed does not depend on the
/// weights): images per second after one image that warms the primitive cache.
public struct PredictBenchmark {
    /// The figures, as `--json` prints them.
    public struct Report: Codable, Sendable {
        public var model: String
        public var tta: Int
        public var images: Int
        public var seconds: Double
        public var images_per_second: Double
        public var transforms_per_second: Double

        public var text: String {
            String(format: "%@ with %d-way test-time averaging: %.2f images/s (%.1f transformed images/s, %d images in %.1f s)",
                   model, tta, images_per_second, transforms_per_second, images, seconds)
        }
    }

    public var configuration: ModelConfiguration
    public var backend: any Backend
    public var tta: TestTimeAugmentation

    public init(configuration: ModelConfiguration, backend: any Backend, tta: TestTimeAugmentation) {
        (self.configuration, self.backend, self.tta) = (configuration, backend, tta)
    }

    public func measure(paths: [String]) throws -> Report {
        require(!paths.isEmpty, "PredictBenchmark: no images")
        var g = SeededGenerator(seed: 1)
        let predictor = Predictor(model: GalaxyModel(configuration, generator: &g, backend: backend), tta: tta)
        _ = try predictor.predict(paths: Array(paths.prefix(1)))
        let seconds = try Timing.seconds { _ = try predictor.predict(paths: paths) }
        return Report(model: configuration.name, tta: tta.rawValue, images: paths.count, seconds: seconds,
                      images_per_second: Double(paths.count) / seconds, transforms_per_second: Double(paths.count * tta.rawValue) / seconds)
    }
}
