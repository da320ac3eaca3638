import Foundation
import Testing
import GalaxyTensor
import GalaxyKernels
import GalaxyAutodiff
import GalaxyLayers
import GalaxyImaging
import GalaxyZoo
import GalaxyTraining
import TestSupport
import GalaxyNetwork
import GalaxyMock

func scratch(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("galaxynet-\(name)-\(UUID().uuidString)").path
}

/// A small mock universe shared by the tests of this file (made once).
let sharedMock: String = {
    let path = scratch("mock")
    _ = try! MockUniverse.generate(.init(count: 48, testCount: 0, seed: 21), into: path)
    return path
}()

@Suite("Models")
struct ModelTests {
    @Test func bestModelHasTheOriginalParameterCount() {
        #expect(ModelConfiguration.best.parameterCount == 42_377_125)
        var g = SeededGenerator(seed: 1)
        let model = GalaxyModel(.best, generator: &g, backend: OneDNNBackend.sharedFast)
        #expect(model.parameterCount == 42_377_125)
        #expect(model.parameterPaths.first?.name == "conv.0.weight" && model.parameterPaths.last?.name == "output.bias")
    }

    @Test func everyVariantBuildsAndRunsOneStep() {
        let backend = OneDNNBackend.sharedFast
        var g = SeededGenerator(seed: 2)
        let view = Tensor.randomUniform(shape: [2, 3, 69, 69], generator: &g, backend: backend)
        let parts = Parts.stack(view0: view, view45: view.flippedHorizontally())
        let labels = Tensor(repeating: 0.1, shape: [2, 37], backend: backend)
        for configuration in ModelConfiguration.builtIn {
            var model = GalaxyModel(configuration, generator: &g, backend: backend)
            #expect(model.parameterCount == configuration.parameterCount, "\(configuration.name)")
            var context = ForwardContext(training: true, generator: SeededGenerator(seed: 3))
            let loss = meanSquaredError(model(Variable(parts), &context), Variable(labels))
            #expect(loss.value.scalar.isFinite, "\(configuration.name)")
            var sgd = SGD(learningRate: 0.01)
            let before = model.output.bias.value.scalars
            sgd.update(&model, gradients: gradients(of: loss, wrt: model.parameters))
            model.applyMaxNorm()
            #expect(model.output.bias.value.scalars != before, "\(configuration.name) learns")
        }
    }

    @Test func mergeOrdersFeaturesByPartBlock() {
        // (16·B, F) → (B, 16·F) with index j·F + f.
        let b = 2, f = 3
        let x = Tensor(shape: [16 * b, f], scalars: (0..<(16 * b * f)).map(Float.init))
        var context = ForwardContext.inference
        let merged = MergeParts()(Variable(x), &context).value
        #expect(merged.shape == [b, 16 * f])
        let m = merged.scalars
        for image in 0..<b { for j in 0..<16 { for k in 0..<f {
            #expect(m[image * 16 * f + j * f + k] == Float((j * b + image) * f + k))
        } } }
    }

    @Test func maxNormCapsTheRMSOfEachUnitsWeights() {
        var configuration = ModelConfiguration.builtIn.first { $0.name == "small" }!
        configuration.dense[0].maxNorm = 0.01
        var g = SeededGenerator(seed: 4)
        var model = GalaxyModel(configuration, generator: &g, backend: ReferenceBackend.shared)
        model.dense[0].weight.value = Tensor.randomNormal(shape: model.dense[0].weight.shape, standardDeviation: 1, generator: &g)
        model.applyMaxNorm()
        let w = model.dense[0].weight.value.scalars, rows = model.dense[0].inputs, columns = model.dense[0].outputs
        for c in 0..<columns {
            let rms = ((0..<rows).map { w[$0 * columns + c] * w[$0 * columns + c] }.reduce(0, +) / Float(rows)).squareRoot()
            #expect(rms <= 0.01 * 1.0001)
        }
    }

    @Test func learningRateScheduleFollowsTheOriginal() {
        let o = TrainingOptions(steps: 2500)
        #expect(o.learningRate(at: 0) == 0.04 && o.learningRate(at: 1799) == 0.04)
        #expect(o.learningRate(at: 1800) == 0.004 && o.learningRate(at: 2299) == 0.004)
        #expect(o.learningRate(at: 2300) == 0.0004 && o.learningRate(at: 2499) == 0.0004)
        #expect(o.warmUpSteps == 500 && TrainingOptions(steps: 100_000).warmUpSteps == 625)
    }
}

@Suite("Training runs", .serialized)
struct TrainingRunTests {
    func options(steps: Int, workers: Int = 2) -> TrainingOptions {
        var o = TrainingOptions(steps: steps, seed: 5)
        o.warmUpSteps = 4
        o.validateEvery = 10
        o.logEvery = 5
        o.workers = workers
        return o
    }

    var small: ModelConfiguration { ModelConfiguration.builtIn.first { $0.name == "small" }! }

    /// Stopped mid-window (update 12 of a log line every 5), the resumed run writes the lines an
    /// uninterrupted one writes: the checkpoint keeps the losses since the last line.
    @Test func resumingGivesBitIdenticalLosses() throws {
        let dataset = try KaggleDataset(root: sharedMock)
        let backend = OneDNNBackend.sharedFast
        let whole = RunFolder(scratch("whole")), split = RunFolder(scratch("split"))
        _ = try Trainer(dataset: dataset, configuration: small, options: options(steps: 20, workers: 2), run: whole, backend: backend, progress: { _ in }).train()
        _ = try Trainer(dataset: dataset, configuration: small, options: options(steps: 20, workers: 1), run: split, backend: backend, progress: { _ in }).train(until: 12)
        let resumed = try Trainer(dataset: dataset, configuration: small, options: options(steps: 20, workers: 1), run: split, backend: backend,
                                  resume: true, progress: { _ in })
        #expect(resumed.step == 12)
        _ = try resumed.train()
        let a = RunFolderLog.read(whole), b = RunFolderLog.read(split)
        #expect(a.map(\.step) == [5, 10, 15, 20] && b.map(\.step) == a.map(\.step))
        #expect(a.map(\.loss) == b.map(\.loss), "losses \(a.map(\.loss)) vs \(b.map(\.loss))")
        #expect(a.last?.validation_rmse == b.last?.validation_rmse)
        #expect(FileManager.default.fileExists(atPath: whole.curveFile))
    }

    @Test func aNaNLossStopsTheRunAndKeepsTheLastGoodCheckpoint() throws {
        let dataset = try KaggleDataset(root: sharedMock)
        let run = RunFolder(scratch("nan"))
        _ = try Trainer(dataset: dataset, configuration: small, options: options(steps: 30), run: run, backend: OneDNNBackend.sharedFast,
                        progress: { _ in }).train(until: 6)
        var explosive = options(steps: 30)
        explosive.learningRates = [1e30, 1e30, 1e30]
        explosive.checkpointMinutes = 0  // try to checkpoint after every step
        let trainer = try Trainer(dataset: dataset, configuration: small, options: explosive, run: run, backend: OneDNNBackend.sharedFast,
                                  resume: true, progress: { _ in })
        let error = try #require(throws: TrainingError.self) { _ = try trainer.train() }
        #expect(error.description.contains("NaN or infinite"), "\(error)")
        let state = try JSONDecoder().decode(RunFolder.State.self, from: FileManager.default.contents(atPath: run.checkpoint + "/state.json")!)
        let weights = try SafeTensors.read(run.checkpoint + "/weights.safetensors")
        #expect(weights.allSatisfy { $0.tensor.scalars.allSatisfy(\.isFinite) }, "the kept checkpoint is a good one")
        #expect(state.step >= 6 && state.step < 30)
    }

    /// The CPU model memorises 32 fixed images (600 full-batch updates, no augmentation, no dropout)
    /// to a training RMSE below 0.02, with the trainer's objective and the dead-answer penalty.
    /// Without the penalty the same run stalls near 0.05: scores of answers that voters chose
    /// fall below zero, get no gradient through the ReLU and stay at 0 (see `deadAnswerPenalty`).
    @Test func aSmallModelOverfits32Images() throws {
        let dataset = try KaggleDataset(root: sharedMock)
        let backend = OneDNNBackend.sharedFast
        var configuration = small
        configuration.dropout = 0
        var g = SeededGenerator(seed: 8)
        let model = GalaxyModel(configuration, generator: &g, backend: backend)
        let rows = Array(0..<32)
        let views = try rows.map { AffineWarp.views(try JPEG.read(dataset.trainingImagePath(dataset.labels.ids[$0])), ViewTransform()) }
        let parts = Parts.stack(view0: views.flatMap(\.view0), view45: views.flatMap(\.view45), backend: backend)
        let labels = Tensor(shape: [32, 37], scalars: rows.flatMap { Array(dataset.labels.row($0)) }, backend: backend)
        var options = TrainingOptions(steps: 600)
        options.deadAnswerPenalty = 0.3
        options.warmUpSteps = 50
        // The rate falls tenfold for the last 15 %, as the original's schedule does: at a constant
        // 0.08 the run is chaotic near the end, and whether it ended under 0.02 depended on the
        // seed and on the kernels' last bits (seeds 1–5 and 8, OpenBLAS's or oneDNN's weight
        // gradient: 0.011–0.019 with the fall over 600 updates, 0.014–0.038 at a constant rate
        // over the 450 updates this test ran before).
        options.learningRates = [0.08, 0.008]
        options.boundaries = [0.85]
        options.maxNormEvery = 0
        // The trainer's own update (warm-up mode, momentum reset, objective, Nesterov SGD), full batch.
        var update = TrainingStep(model: model, options: options)
        var times = TrainingStep.Times()
        var trace: [Float] = []
        for step in 0..<options.steps {
            let g = update.gradients(parts: parts, labels: labels, times: &times)
            if step % 50 == 0 { trace.append(g.meanSquaredError.squareRoot()) }
            update.apply(g.values, times: &times)
        }
        var frozen = update.model
        frozen.outputMode = .normalised
        var context = ForwardContext.inference
        let rmse = meanSquaredError(frozen(Variable(parts), &context), Variable(labels)).value.scalar.squareRoot()
        #expect(rmse < 0.02, "training RMSE \(rmse); every 50 steps \(trace)")
    }
}

/// Reads a run's log (the type lives in GalaxyTraining; this keeps the tests short).
enum RunFolderLog {
    static func read(_ run: RunFolder) -> [RunFolder.LogEntry] {
        let text = (try? String(contentsOfFile: run.logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(RunFolder.LogEntry.self, from: Data($0.utf8)) }
    }
}

@Suite("Checkpoints")
struct CheckpointTests {
    @Test func safetensorsRoundTripAndNumPyReadsThem() throws {
        var g = SeededGenerator(seed: 9)
        var model = GalaxyModel(ModelConfiguration.builtIn.first { $0.name == "small" }!, generator: &g, backend: ReferenceBackend.shared)
        let path = scratch("weights") + ".safetensors"
        try SafeTensors.write(model.namedParameters, metadata: ["model": "small"], to: path)
        let back = try SafeTensors.read(path)
        #expect(back.map(\.name) == model.parameterPaths.map(\.name))
        for (a, b) in zip(back, model.namedParameters) { #expect(a.tensor.shape == b.tensor.shape && a.tensor.scalars == b.tensor.scalars) }
        var other = GalaxyModel(ModelConfiguration.builtIn.first { $0.name == "small" }!, generator: &g, backend: ReferenceBackend.shared)
        try other.load(back, file: path)
        #expect(other.output.weight.value.scalars == model.output.weight.value.scalars)
        // Byte layout: little-endian header length, JSON header, 8-byte aligned data.
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let length = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(length % 8 == 0 && bytes[8] == UInt8(ascii: "{"))
        // NumPy, when present: parse the header and view the data.
        let script = """
        import json, struct, numpy as np
        b = open('\(path)', 'rb').read(); n = struct.unpack('<Q', b[:8])[0]; h = json.loads(b[8:8+n])
        e = h['output.weight']; s, t = e['data_offsets']
        a = np.frombuffer(b[8+n+s:8+n+t], dtype='<f4').reshape(e['shape'])
        print(a.shape, float(a.sum()))
        """
        if let text = try TestSupport.numpy(script) {
            let expected = model.output.weight.value.scalars.map(Double.init).reduce(0, +)
            #expect(text.hasPrefix("(256, 37)"), "numpy printed \(text)")
            #expect(abs((TestSupport.lastNumber(text) ?? .nan) - expected) < 1e-3)
        }
        model.setParameterValues(model.parameters.map(\.value))
    }

    @Test func loadingTheWrongShapeNamesTheTensor() throws {
        var g = SeededGenerator(seed: 1)
        var model = GalaxyModel(ModelConfiguration.builtIn.first { $0.name == "small" }!, generator: &g, backend: ReferenceBackend.shared)
        var tensors = model.namedParameters
        tensors[0].tensor = Tensor(zeros: [1])
        let error = try #require(throws: CheckpointError.self) { try model.load(tensors, file: "weights.safetensors") }
        #expect(error.description.contains("conv.0.weight"))
    }

    /// One flipped byte in a weight is refused when the checkpoint is read, whoever reads it.
    @Test func aDamagedCheckpointIsRefused() throws {
        let dataset = try KaggleDataset(root: sharedMock)
        var o = TrainingOptions(steps: 2, seed: 3)
        o.workers = 1
        let run = RunFolder(scratch("damaged"))
        _ = try Trainer(dataset: dataset, configuration: ModelConfiguration.builtIn.first { $0.name == "small" }!, options: o, run: run,
                        backend: OneDNNBackend.sharedFast, progress: { _ in }).train()
        #expect(try run.readState().checksums?.keys.sorted() == ["optimizer.safetensors", "weights.safetensors"])
        let loaded = try run.loadModel(backend: ReferenceBackend.shared)
        #expect(loaded.namedParameters.map(\.tensor.scalars) == (try run.readCheckpoint(backend: ReferenceBackend.shared).weights.map(\.tensor.scalars)))
        var bytes = [UInt8](FileManager.default.contents(atPath: run.weightsFile)!)
        bytes[bytes.count - 5] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: run.weightsFile))
        let error = try #require(throws: CheckpointError.self) { _ = try run.loadModel(backend: ReferenceBackend.shared) }
        #expect(error.description.hasPrefix(run.weightsFile) && error.description.contains("damaged"), "\(error)")
        #expect(throws: CheckpointError.self) { _ = try run.readCheckpoint(backend: ReferenceBackend.shared) }
    }
}
