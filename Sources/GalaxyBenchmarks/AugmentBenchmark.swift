import Foundation
import GalaxyCore
import GalaxyImaging
import GalaxyNetwork

/// The input pipeline's cost per image on one core, stage by stage, and the realtime
/// pipeline's throughput with 1 and 2 workers.
public struct AugmentBenchmark {
    /// The figures, as `--json` prints them.
    public struct Report: Codable, Sendable {
        public var mode: String
        public var images: Int
        public var per_image_ms: [String: Double]
        public var total_ms: Double
        public var pipeline_images_per_second: [String: Double]

        static let stages = ["decode", "source_extraction", "warp_both_views", "colour", "parts"]

        public var text: String {
            var lines = ["input pipeline, \(mode) mode, \(images) images, one core (median of 3 passes)"]
            for name in Self.stages { lines.append(Text.pad(name, 20) + String(format: "%8.3f ms/image", per_image_ms[name]!)) }
            lines.append(Text.pad("total per step", 20) + String(format: "%8.3f ms/image   (source extraction excluded: computed once and cached)", total_ms))
            for workers in ["1", "2"] { lines.append(String(format: "pipeline, %@ worker(s): %.0f images/s", workers, pipeline_images_per_second[workers]!)) }
            return lines.joined(separator: "\n")
        }
    }

    public var mode: ResamplingMode

    public init(mode: ResamplingMode) { self.mode = mode }

    /// Times each stage over all of `paths` (median of 3 passes, on this one thread), then the pipeline.
    public func measure(paths: [String]) throws -> Report {
        require(!paths.isEmpty, "AugmentBenchmark: no images")
        let count = paths.count
        let files = try paths.map { path -> [UInt8] in
            guard let data = FileManager.default.contents(atPath: path) else { throw ImageError(file: path, reason: "cannot be read") }
            return [UInt8](data)
        }
        func perImage(_ body: () throws -> Void) rethrows -> Double {
            Timing.median(try (0..<3).map { _ in try Timing.seconds(body) * 1e3 / Double(count) })
        }
        let scale = mode == .faithful ? 1 : 2
        var decoded: [RGBImage] = []
        let decode = try perImage { decoded = try files.enumerated().map { try JPEG.decode($1, file: paths[$0], scale: scale) } }
        let full = try files.enumerated().map { try JPEG.decode($1, file: paths[$0]) }
        let extraction = perImage { for image in full { _ = SourceExtractor.extract(image) } }
        var g = SeededGenerator(seed: 1)
        let draws = (0..<count).map { _ in Augmentation.draw(&g) }
        var views: [([Float], [Float])] = []
        let warp = perImage { views = decoded.indices.map { AffineWarp.views(decoded[$0], draws[$0].transform, halfSizeSource: mode == .antiAliased) } }
        let colour = perImage {
            for i in views.indices { Augmentation.shiftColour(&views[i].0, by: draws[i].colourShift); Augmentation.shiftColour(&views[i].1, by: draws[i].colourShift) }
        }
        let parts = perImage { for (v0, v45) in views { _ = Parts.stack(view0: v0, view45: v45) } }
        let stages = ["decode": decode, "source_extraction": extraction, "warp_both_views": warp, "colour": colour, "parts": parts]
        // Extraction is computed once per image and cached, so it is not part of the per-step total.
        let total = decode + warp + colour + parts

        var throughput: [String: Double] = [:]
        for workers in [1, 2] {
            let batch = min(16, count)
            let pipeline = AugmentationPipeline(source: .init(paths: paths, labels: [], labelWidth: 0), batchSize: batch, seed: 1,
                                                workers: workers, capacity: 8, mode: mode)
            defer { pipeline.stop() }
            _ = try pipeline.next()
            let batches = max(4, count / batch)
            let seconds = try Timing.seconds { for _ in 0..<batches { _ = try pipeline.next() } }
            throughput["\(workers)"] = Double(batches * batch) / seconds
        }
        return Report(mode: mode.rawValue, images: count, per_image_ms: stages, total_ms: total, pipeline_images_per_second: throughput)
    }
}
