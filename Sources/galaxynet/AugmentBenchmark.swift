import ArgumentParser
import Foundation
import GalaxyImaging
import GalaxyNetwork
import GalaxyTensor

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

    struct Report: Codable {
        var mode: String
        var images: Int
        var per_image_ms: [String: Double]
        var total_ms: Double
        var pipeline_images_per_second: [String: Double]
    }

    func run() throws {
        guard count > 0 else { throw ValidationError("--count must be positive") }
        let paths = try source.paths(count: count)
        let files = try paths.map { path -> [UInt8] in
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            return [UInt8](data)
        }
        // Each stage timed over all images (median of 3 passes), on this one thread.
        func perImage(_ body: () throws -> Void) rethrows -> Double {
            var times: [Double] = []
            for _ in 0..<3 {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(count))
            }
            return Timing.median(times)
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
        let parts = perImage {
            for (v0, v45) in views { _ = Parts.stack(view0: v0, view45: v45) }
        }
        let stages = ["decode": decode, "source_extraction": extraction, "warp_both_views": warp, "colour": colour, "parts": parts]
        // Extraction is computed once per image and cached, so it is not part of the per-step total.
        let total = decode + warp + colour + parts

        var throughput: [String: Double] = [:]
        for workers in [1, 2] {
            let batch = min(16, paths.count)
            let pipeline = AugmentationPipeline(source: .init(paths: paths, labels: [], labelWidth: 0), batchSize: batch, seed: 1,
                                                workers: workers, capacity: 8, mode: mode)
            _ = try pipeline.next()
            let batches = max(4, count / batch)
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<batches { _ = try pipeline.next() }
            throughput["\(workers)"] = Double(batches * batch) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            pipeline.stop()
        }
        let report = Report(mode: mode.rawValue, images: count, per_image_ms: stages, total_ms: total, pipeline_images_per_second: throughput)
        if output.json { return try output.print(report) }
        print("input pipeline, \(mode.rawValue) mode, \(count) images, one core (median of 3 passes)")
        for name in ["decode", "source_extraction", "warp_both_views", "colour", "parts"] {
            print(Text.pad(name, 20) + String(format: "%8.3f ms/image", stages[name]!))
        }
        print(Text.pad("total per step", 20) + String(format: "%8.3f ms/image   (source extraction excluded: computed once and cached)", total))
        for workers in ["1", "2"] { print(String(format: "pipeline, %@ worker(s): %.0f images/s", workers, throughput[workers]!)) }
    }
}
