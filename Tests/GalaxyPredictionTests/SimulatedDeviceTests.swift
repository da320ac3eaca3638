import Foundation
import Testing
import GalaxyTensor
import GalaxyLayers
import GalaxyImaging
import GalaxyZoo
import GalaxyNetwork
import GalaxyTraining
import GalaxyPrediction
import TestSupport
import GalaxyKernels

/// The device-honesty proof: training and prediction on a backend whose tensors live in an
/// arena that host code cannot read (`SimulatedDeviceBackend`). Every value reaches the host
/// only by asking the backend, so the run completes and matches the reference backend exactly;
/// code that reached into tensor memory would stop the process or change a number.
@Suite("Simulated device")
struct SimulatedDeviceTests {
    /// The small model with untied biases and a max-norm that bites, so that every op the best
    /// model uses runs on the device.
    static var configuration: ModelConfiguration {
        var c = ModelConfiguration.builtIn.first { $0.name == "small" }!
        c.untiedBiases = true
        c.dense[0].maxNorm = 0.01
        return c
    }

    static func step(on backend: any Backend) -> TrainingStep {
        var options = TrainingOptions(steps: 10, seed: 5)
        options.warmUpSteps = 1
        options.maxNormEvery = 1
        options.deadAnswerPenalty = 0.3
        return TrainingStep(configuration: configuration, options: options, backend: backend)
    }

    static func batch() -> AugmentedBatch {
        var g = SeededGenerator(seed: 6)
        let views = (0..<2).map { _ in (0..<(2 * ViewTransform.viewFloats)).map { _ in g.nextUniform() } }
        let labels = (0..<(2 * DecisionTree.gz2.outputCount)).map { _ in g.nextUniform() < 0.5 ? 0 : g.nextUniform() }
        return AugmentedBatch(step: 0, indices: [0, 1], view0: views.flatMap { $0.prefix(ViewTransform.viewFloats) },
                              view45: views.flatMap { $0.suffix(ViewTransform.viewFloats) }, labels: labels)
    }

    @Test func twoTrainingUpdatesMatchTheReferenceExactly() {
        let device = SimulatedDeviceBackend()
        var onDevice = Self.step(on: device), onHost = Self.step(on: ReferenceBackend.shared)
        var times = TrainingStep.Times()
        for _ in 0..<2 {  // one warm-up update, one normalised (momentum reset, max-norm)
            let a = onDevice(Self.batch(), times: &times), b = onHost(Self.batch(), times: &times)
            #expect(a == b, "batch MSE \(a) on the device, \(b) on the reference")
        }
        for ((name, x), (_, y)) in zip(onDevice.model.namedParameters, onHost.model.namedParameters) {
            #expect(x.backend === device && x.scalars == y.scalars, "\(name) differs after two updates")
        }
        for ((name, x), (_, y)) in zip(onDevice.namedOptimizerState, onHost.namedOptimizerState) {
            #expect(x.scalars == y.scalars, "velocity of \(name) differs")
        }
        #expect(device.transfers.uploads > 0 && device.transfers.downloads > 0)
    }

    @Test func predictionMatchesTheReferenceExactly() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("galaxynet-device-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var g = SeededGenerator(seed: 7)
        let paths = try (0..<2).map { i -> String in
            let image = RGBImage(width: 424, height: 424, pixels: (0..<(424 * 424 * 3)).map { _ in UInt8(truncatingIfNeeded: g.next()) })
            let path = "\(folder)/\(i).jpg"
            try Data(JPEG.encode(image)).write(to: URL(fileURLWithPath: path))
            return path
        }
        let device = SimulatedDeviceBackend()
        let trained = Self.step(on: ReferenceBackend.shared).model
        var model = Self.step(on: device).model
        try model.load(trained.namedParameters, file: "<memory>")
        let onDevice = try Predictor(model: model, tta: .none).predict(paths: paths)
        let onHost = try Predictor(model: trained, tta: .none).predict(paths: paths)
        #expect(onDevice == onHost)
        #expect(onDevice.count == 2 * DecisionTree.gz2.outputCount && onDevice.allSatisfy(\.isFinite))
    }

    @Test func hostCodeReadingDeviceMemoryStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let t = Tensor(shape: [3], scalars: [1, 2, 3], backend: SimulatedDeviceBackend())
            _ = t.withUnsafeBufferPointer { $0[0] }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("ask the tensor's backend for a copy"), "\(message)")
    }

    /// The list `bench kernels` prints is the file's truth: every op OneDNNFallbacks.swift hands to
    /// the reference loops is named, and nothing else.
    @Test func oneDNNNamesEveryOpItRunsWithReferenceLoops() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/GalaxyKernels/OneDNNFallbacks.swift")
        let text = try String(contentsOf: source, encoding: .utf8)
        let defined = text.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "public func ") else { return nil }
            return String(line[range.upperBound...].prefix { $0.isLetter || $0.isNumber })
        }
        #expect(!defined.isEmpty)
        #expect(Set(defined) == Set(OneDNNBackend.referenceFallbacks), "defined: \(defined.sorted())")
        #expect(defined.count == OneDNNBackend.referenceFallbacks.count)
        for name in defined {
            #expect(text.contains("reference.\(name)("), "\(name) does not run the reference loop")
        }
    }
}
