import Foundation
import Testing
import GalaxyBenchmarks
import GalaxyNetwork
import GalaxyTensor
import GalaxyKernels
import TestSupport

@Suite("Benchmark engines")
struct BenchmarkTests {
    @Test func medianInClosedForm() {
        #expect(Timing.median([3, 1, 2]) == 2)
        #expect(Timing.median([4, 1, 3, 2]) == 2.5)
        #expect(Timing.median([]).isNaN)
    }

    /// The kernel benchmark measures the layers the configuration declares, with their shapes.
    @Test func kernelBenchmarkFollowsTheConfiguration() throws {
        let small = try ModelConfiguration.named("small")
        let report = KernelBenchmark(configuration: small, backend: OneDNNBackend.sharedFast, images: 1, runs: 1, sgemmSize: 64).measure()
        #expect(report.layers.map(\.name) == ["conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "pool4", "dense1", "output"])
        #expect(report.layers[0].shape == "[16, 3, 45, 45]→[16, 16, 40, 40]")
        // 32 channels of 2×2 per part, 16 parts merged: 2048 inputs to the maxout layer of 512 units; 256 into the output.
        #expect(report.layers[7].shape == "[1, 2048]·[2048, 512]")
        #expect(report.layers[8].shape == "[1, 256]·[256, 37]")
        #expect(report.layers.allSatisfy { $0.forward_ms > 0 && $0.backward_ms > 0 && $0.gflops > 0 })
        #expect(report.table.contains("model small"))
    }

    @Test func predictBenchmarkCountsImagesAndTransforms() throws {
        let images = TestSupport.sharedData("sdss-dev/images")
        let names = try FileManager.default.contentsOfDirectory(atPath: images).filter { $0.hasSuffix(".jpg") }.sorted().prefix(2)
        let report = try PredictBenchmark(configuration: try ModelConfiguration.named("small"), backend: OneDNNBackend.sharedFast, tta: .rightAngles)
            .measure(paths: names.map { images + "/" + $0 })
        #expect(report.images == 2 && report.tta == 8)
        #expect(abs(report.transforms_per_second - 8 * report.images_per_second) < 1e-9 * report.transforms_per_second)
    }
}
