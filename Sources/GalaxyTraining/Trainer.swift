import Foundation
import Synchronization
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyImaging
import GalaxyZoo
import GalaxyNetwork

/// Why a run stopped early.
public enum TrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(step: Int, checkpointStep: Int?, directory: String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let step, let kept, let directory):
            "the loss became NaN or infinite at step \(step); the run stopped"
                + (kept.map { " and kept the last good checkpoint (step \($0)) in \(directory)/checkpoint" } ?? " before its first checkpoint")
                + ". Lower the learning rate or check the inputs, then --resume."
        }
    }
}

/// Set by SIGINT/SIGTERM: the trainer writes a checkpoint and returns at the next step.
let stopRequested = Atomic<Bool>(false)

/// Installs handlers so that Ctrl-C or a termination request ends a run cleanly.
public func installStopHandlers() {
    for sig in [SIGINT, SIGTERM] { signal(sig) { _ in stopRequested.store(true, ordering: .relaxed) } }
}

/// Trains a `GalaxyModel` on a Kaggle-layout dataset (spec §5): SGD with Nesterov momentum,
/// batch 16, the 72%/92% learning-rate schedule, a warm-up phase in clip mode with its own
/// momentum buffers, dropout, max-norm, MSE (optionally plus the dead-answer penalty);
/// validation on the held-out 10% without augmentation.
public final class Trainer {
    public struct Summary: Sendable {
        public var step: Int
        public var validationRMSE: Double?
        public var baselineRMSE: Double
        public var imagesPerSecond: Double
        public var interrupted: Bool
    }

    /// Time spent per part of a step, for `bench train`.
    public struct StepTimes: Sendable {
        public var data = 0.0, forwardConvolution = 0.0, forwardDense = 0.0, backward: [String: Double] = [:], optimizer = 0.0, total = 0.0
    }

    public let dataset: KaggleDataset
    public let configuration: ModelConfiguration
    public let options: TrainingOptions
    public let run: RunDirectory
    public let backend: any Backend
    public private(set) var model: GalaxyModel
    var optimizer: SGD
    public private(set) var step = 0
    let training: [Int], validation: [Int]
    let extractions: [SourceExtraction]?
    var progress: (String) -> Void
    public private(set) var lastCheckpointStep: Int?

    /// Starts a new run in `run` (which must not hold one) or, with `resume`, continues the run there.
    public init(dataset: KaggleDataset, configuration: ModelConfiguration, options: TrainingOptions, run: RunDirectory,
                backend: any Backend, resume: Bool = false, extractions: [SourceExtraction]? = nil,
                progress: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) throws {
        self.dataset = dataset
        self.configuration = configuration
        self.options = options
        self.run = run
        self.backend = backend
        self.progress = progress
        self.extractions = extractions
        (training, validation) = dataset.split
        require(!training.isEmpty, "Trainer: no training images")
        var g = SeededGenerator(seed: options.seed, stream: 4)
        model = GalaxyModel(configuration, generator: &g, backend: backend)
        optimizer = SGD(learningRate: options.learningRates[0], momentum: options.momentum, nesterov: true)
        if resume {
            let state = try run.readState()
            try model.load(try SafeTensors.read(run.checkpoint + "/weights.safetensors", backend: backend), file: run.checkpoint + "/weights.safetensors")
            let velocities = try SafeTensors.read(run.checkpoint + "/optimizer.safetensors", backend: backend)
            if !velocities.isEmpty {
                let byName = Dictionary(velocities.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
                optimizer.velocities = try model.parameterPaths.map { path in
                    guard let v = byName[path.name] else { throw CheckpointError(file: run.checkpoint + "/optimizer.safetensors", reason: "no velocity for \(path.name)") }
                    return v
                }
            }
            step = state.step
            lastCheckpointStep = state.step
            try run.truncateLog(after: step)
        } else {
            try run.create(configuration: configuration, options: options)
        }
    }

    /// The transform of an un-augmented view of image `row` (centred models use its extraction).
    func plainTransform(_ row: Int) -> ViewTransform {
        guard configuration.centred, let e = extractions?[row] else { return ViewTransform() }
        return ViewTransform(centreX: e.x, centreY: e.y, scale: e.scale)
    }

    func pipeline(startStep: Int) -> AugmentationPipeline {
        let labels = training.flatMap { Array(dataset.labels.row($0)) }
        let source = AugmentationPipeline.Source(paths: training.map { dataset.trainingImagePath(dataset.labels.ids[$0]) }, labels: labels,
                                                 labelWidth: DecisionTree.outputCount,
                                                 extractions: configuration.centred ? training.map { extractions![$0] } : nil)
        return AugmentationPipeline(source: source, batchSize: min(options.batchSize, training.count), seed: options.seed,
                                    workers: options.workers, capacity: 6, mode: options.mode, startStep: startStep)
    }

    /// One update: forward, loss, backward, SGD (and max-norm). Returns the batch MSE.
    @discardableResult
    func update(_ batch: AugmentedBatch, times: inout StepTimes, profile: BackwardProfile? = nil) -> Float {
        let b = batch.indices.count
        let parts = Parts.stack(view0: batch.view0, view45: batch.view45, backend: backend)
        let warmUp = step < options.warmUpSteps
        if step == options.warmUpSteps && options.warmUpSteps > 0 { optimizer.resetMomentum() }  // the normalised phase starts at rest
        model.decisionTree.mode = warmUp ? .warmUp : .normalised
        var context = ForwardContext(training: true, generator: SeededGenerator(seed: options.seed, stream: 3, UInt64(step)))
        var clock = DispatchTime.now().uptimeNanoseconds
        func lap() -> Double { let now = DispatchTime.now().uptimeNanoseconds; defer { clock = now }; return Double(now - clock) / 1e9 }
        let features = model.convolutionStack(Variable(parts), &context)
        _ = features.value.plain  // finish the trunk before timing the dense part
        times.forwardConvolution += lap()
        let labels = Tensor(shape: [b, DecisionTree.outputCount], scalars: batch.labels, backend: backend)
        let loss = options.objective(scores: model.denseStack(features, &context), labels: labels, tree: model.decisionTree, &context)
        let value = loss.meanSquaredError.value.scalar
        times.forwardDense += lap()
        let grads = gradients(of: loss.objective, wrt: model.parameters, profile: profile)
        _ = lap()
        optimizer.learningRate = options.learningRate(at: step)
        optimizer.update(&model, gradients: grads)
        if options.maxNormEvery > 0 && (step + 1) % options.maxNormEvery == 0 { model.applyMaxNorm() }
        times.optimizer += lap()
        step += 1
        return value
    }

    /// Validation RMSE: √(mean squared error) over the held-out images, un-augmented, dropout off.
    public func validationRMSE(views: [(view0: [Float], view45: [Float])]) -> Double? {
        guard !validation.isEmpty else { return nil }
        let frozen = model.detached()
        var context = ForwardContext.inference
        var squared = 0.0
        for first in stride(from: 0, to: validation.count, by: 16) {
            let rows = Array(validation[first..<min(first + 16, validation.count)])
            let parts = Parts.stack(view0: rows.indices.flatMap { views[first + $0].view0 },
                                    view45: rows.indices.flatMap { views[first + $0].view45 }, backend: backend)
            let predicted = frozen(Variable(parts), &context).value.scalars
            for (i, row) in rows.enumerated() {
                for (j, truth) in dataset.labels.row(row).enumerated() {
                    let d = Double(predicted[i * 37 + j]) - Double(truth)
                    squared += d * d
                }
            }
        }
        return (squared / Double(validation.count * DecisionTree.outputCount)).squareRoot()
    }

    /// Decoded, un-augmented views of the validation images (computed once per run).
    func validationViews() throws -> [(view0: [Float], view45: [Float])] {
        let slots = ResultSlots<Result<([Float], [Float]), Error>>(count: validation.count)
        let rows = validation, data = dataset, transforms = validation.map(plainTransform)
        Parallelism.forEach(count: rows.count, threads: max(1, options.workers)) { i in
            slots.set(i, Result { AffineWarp.views(try JPEG.read(data.trainingImagePath(data.labels.ids[rows[i]])), transforms[i]) })
        } monitor: {}
        return try slots.values.map { try $0!.get() }
    }

    /// Writes a checkpoint unless a parameter is NaN or infinite (the previous one is then kept).
    public func writeCheckpoint(bestValidationRMSE: Double?) throws {
        let finite = model.parameters.allSatisfy { p in p.value.backend.withHostScalars(p.value) { $0.allSatisfy(\.isFinite) } }
        guard finite else { progress("not checkpointing step \(step): parameters are not finite"); return }
        let velocities = optimizer.velocities.isEmpty ? [] : zip(model.parameterPaths, optimizer.velocities).map { ($0.name, $1) }
        let formatter = ISO8601DateFormatter()
        try run.writeCheckpoint(model: model, velocities: velocities, state: .init(step: step, seed: options.seed, model: configuration.name,
                                                                                 bestValidationRMSE: bestValidationRMSE, writtenAt: formatter.string(from: Date())))
        lastCheckpointStep = step
    }

    /// Trains until `options.steps` (or `until`, or a stop request); checkpoints every few minutes
    /// and at the end.
    public func train(until: Int? = nil) throws -> Summary {
        installStopHandlers()
        let baselines = Baselines(training: dataset.labels.subset(training))
        let baseline = validation.isEmpty ? Double.nan : baselines.evaluate(on: dataset.labels.subset(validation)).trainingMean.rmse
        let views = try validationViews()
        let data = pipeline(startStep: step)
        defer { data.stop() }
        var times = StepTimes()
        var lossSum = 0.0, lossCount = 0, best: Double? = nil, lastValidation: Double? = nil
        var windowStart = Date(), windowImages = 0
        let runStart = Date(), startStep = step
        var lastCheckpoint = Date()
        progress(String(format: "training %@ (%d parameters) on %d images, validating on %d; training-mean baseline RMSE %.4f",
                        configuration.name, model.parameterCount, training.count, validation.count, baseline))
        while step < min(options.steps, until ?? .max) {
            if stopRequested.load(ordering: .relaxed) {
                try writeCheckpoint(bestValidationRMSE: best)
                progress("stopped by request at step \(step); checkpoint written to \(run.checkpoint)")
                return Summary(step: step, validationRMSE: lastValidation, baselineRMSE: baseline, imagesPerSecond: 0, interrupted: true)
            }
            let batch = try data.next()
            let loss = update(batch, times: &times)
            guard loss.isFinite else {
                throw TrainingError.nonFiniteLoss(step: step - 1, checkpointStep: lastCheckpointStep, directory: run.path)
            }
            lossSum += Double(loss); lossCount += 1; windowImages += batch.indices.count
            let validate = step % options.validateEvery == 0 || step == options.steps
            if step % options.logEvery == 0 || validate {
                let rate = Double(windowImages) / max(Date().timeIntervalSince(windowStart), 1e-9)
                if validate { lastValidation = validationRMSE(views: views); if let v = lastValidation { best = min(best ?? v, v) } }
                let entry = RunDirectory.LogEntry(step: step, loss: lossSum / Double(lossCount), learning_rate: optimizer.learningRate,
                                                  images_per_second: rate, validation_rmse: validate ? lastValidation : nil,
                                                  phase: step <= options.warmUpSteps ? "warm-up" : "normalised")
                try run.append(entry)
                let done = Double(step - startStep), elapsed = Date().timeIntervalSince(runStart)
                let eta = done > 0 ? elapsed / done * Double(options.steps - step) : 0
                progress(String(format: "step %d/%d  loss %.5f (RMSE %.4f)  lr %g  %.1f img/s  ETA %@%@", step, options.steps, entry.loss,
                                entry.loss.squareRoot(), entry.learning_rate, rate, Self.duration(eta),
                                validate ? String(format: "  validation RMSE %.4f", lastValidation ?? .nan) : ""))
                if validate {
                    try Data(LearningCurve.svg(run.readLog(), baseline: baseline.isFinite ? baseline : nil,
                                               title: "\(configuration.name) on \(dataset.root)").utf8)
                        .write(to: URL(fileURLWithPath: run.curveFile), options: .atomic)
                }
                lossSum = 0; lossCount = 0; windowStart = Date(); windowImages = 0
            }
            if Date().timeIntervalSince(lastCheckpoint) > options.checkpointMinutes * 60 {
                try writeCheckpoint(bestValidationRMSE: best)
                lastCheckpoint = Date()
            }
        }
        try writeCheckpoint(bestValidationRMSE: best)
        let seconds = Date().timeIntervalSince(runStart)
        return Summary(step: step, validationRMSE: lastValidation, baselineRMSE: baseline,
                       imagesPerSecond: Double((step - startStep) * options.batchSize) / max(seconds, 1e-9), interrupted: false)
    }

    /// Steady-state training speed: `warmUp` untimed updates, then `steps` timed ones with the
    /// realtime pipeline running; times are split into data waiting, convolution and dense
    /// forward, backward by op kind, and the optimizer.
    public func benchmark(warmUp: Int, steps: Int) throws -> (imagesPerSecond: Double, times: StepTimes) {
        let data = pipeline(startStep: step)
        defer { data.stop() }
        var ignored = StepTimes()
        for _ in 0..<warmUp { update(try data.next(), times: &ignored) }
        var times = StepTimes()
        let profile = BackwardProfile()
        let start = DispatchTime.now().uptimeNanoseconds
        var images = 0
        for _ in 0..<steps {
            let waitStart = DispatchTime.now().uptimeNanoseconds
            let batch = try data.next()
            times.data += Double(DispatchTime.now().uptimeNanoseconds - waitStart) / 1e9
            update(batch, times: &times, profile: profile)
            images += batch.indices.count
        }
        times.total = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        times.backward = profile.seconds
        return (Double(images) / times.total, times)
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
