import Foundation
import GalaxyTensor
import GalaxyAutodiff
import GalaxyImaging
import GalaxyNetwork
import GalaxyZoo

/// Why a run stopped early.
public enum TrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(step: Int, checkpointStep: Int?, directory: String)
    case replicasDiverged(step: Int, checksums: [UInt64])
    case tooFewImages(labelled: Int, file: String)
    case labelsBreakTheTree(first: LabelCheck.Violation, rows: Int, file: String)
    case badImages([ImageError])
    case unreadableImage(step: Int, error: Error, checkpointStep: Int?, directory: String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let step, let kept, let directory):
            "the loss became NaN or infinite at step \(step); the run stopped"
                + (kept.map { " and kept the last good checkpoint (step \($0)) in \(directory)/checkpoint" } ?? " before its first checkpoint")
                + ". Lower the learning rate or check the inputs, then --resume."
        case .replicasDiverged(let step, let checksums):
            "the processes' weights differ at step \(step) (checksums by rank: \(checksums.map { String($0, radix: 16) }.joined(separator: ", "))); "
                + "the run stopped. Every process must run the same binary on the same data; resume from the last checkpoint."
        case .tooFewImages(let labelled, let file):
            "\(file): \(labelled) labelled images; training needs at least 10, as the highest tenth of the IDs is held out for validation"
        case .labelsBreakTheTree(let v, let rows, let file):
            "\(file)\(v.line.map { ":\($0)" } ?? ""): GalaxyID \(v.galaxyID) question \(v.question) sums to \(v.sum), the decision tree requires \(v.required) "
                + "(\(rows) rows break the tree); the model's outputs obey it, so it cannot learn these labels. `galaxynet check-labels \(file)` lists them all."
        case .badImages(let errors):
            "\(errors.count) image\(errors.count == 1 ? "" : "s") cannot be used:\n" + errors.prefix(20).map { "  \($0)" }.joined(separator: "\n")
                + (errors.count > 20 ? "\n  …" : "") + "\nReplace them, or train with --on-bad-image skip to leave them out (they are then listed in the run folder)."
        case .unreadableImage(let step, let error, let kept, let directory):
            "an image became unreadable at step \(step): \(error)\n"
                + (kept.map { "The updates so far are kept in the checkpoint (step \($0)) in \(directory)/checkpoint; replace the image and --resume." }
                   ?? "No checkpoint could be written.")
        }
    }
}

/// Trains a `GalaxyModel` on a Kaggle-layout dataset (original-solution-spec.md §5) into a run folder: the realtime
/// augmentation pipeline feeds a `TrainingStep`; every `logEvery` updates the log gets a line,
/// every `validateEvery` the `Validator` scores the held-out 10% and the learning curve is
/// redrawn; the `Checkpointer` writes every few minutes, at a stop request and at the end.
///
/// With a `ProcessGroup` of several processes (data parallelism), each builds and differentiates
/// its share of every global batch, the gradients are summed as autodiff finishes them, and
/// every process applies the same update; the processes agree on the loss and on stopping each
/// step, compare weight checksums every `replicaCheckEvery` updates, and rank 0 alone validates
/// and writes the run folder.
public final class Trainer {
    public struct Summary: Sendable {
        public var step: Int
        public var validationRMSE: Double?
        public var baselineRMSE: Double
        public var imagesPerSecond: Double
        public var interrupted: Bool
    }

    public let dataset: KaggleDataset
    public let configuration: ModelConfiguration
    public let options: TrainingOptions
    public let run: RunFolder
    public let group: any ProcessGroup
    public private(set) var update: TrainingStep
    var checkpointer: Checkpointer
    /// Rank 0's hold on the run folder while the trainer exists.
    let folderLock: RunFolder.Lock?
    let training: [Int], validation: [Int]
    /// Images left out by `--on-bad-image skip`.
    public let badImages: [ImageError]
    let extractions: [SourceExtraction]?
    var progress: (String) -> Void

    /// Updates done so far.
    public var step: Int { update.step }
    public var model: GalaxyModel { update.model }
    /// The weights validation and prediction use: the average when the run keeps one.
    public var evaluationModel: GalaxyModel { update.evaluationModel }

    /// Starts a new run in `run` (which must not hold one) or, with `resume`, continues the run there.
    public init(dataset: KaggleDataset, configuration: ModelConfiguration, options: TrainingOptions, run: RunFolder,
                backend: any Backend, resume: Bool = false, extractions: [SourceExtraction]? = nil, group: any ProcessGroup = SingleProcess(),
                progress: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) throws {
        var configuration = configuration
        if let dropout = options.dropout { configuration.dropout = dropout }
        self.dataset = dataset
        self.group = group
        self.configuration = configuration
        self.options = options
        self.run = run
        self.progress = group.rank == 0 ? progress : { _ in }
        self.extractions = extractions
        require(options.batchSize >= group.size, "Trainer: a batch of \(options.batchSize) cannot be split across \(group.size) processes")
        require(!configuration.centred || extractions?.count == dataset.labels.count, "Trainer: a centred model needs every image's extraction")
        // Everything that would stop the run later is checked before anything is made.
        let solutions = dataset.root + "/" + KaggleDataset.solutionsFile
        guard dataset.labels.count >= 10 else { throw TrainingError.tooFewImages(labelled: dataset.labels.count, file: solutions) }
        let violations = LabelCheck.violations(in: dataset.labels)
        if let first = violations.first {
            throw TrainingError.labelsBreakTheTree(first: first, rows: Set(violations.map(\.galaxyID)).count, file: solutions)
        }
        if resume { _ = try run.readState() }  // a missing checkpoint is reported before anything is made
        folderLock = group.rank == 0 ? try run.lock() : nil
        let report = self.progress
        (training, validation, badImages) = try Self.usableRows(dataset, policy: options.onBadImage ?? .fail, progress: report)
        update = TrainingStep(configuration: configuration, options: options, backend: backend)
        checkpointer = Checkpointer(run: run, minutes: options.checkpointMinutes)
        if resume {
            let checkpoint = try run.readCheckpoint(backend: backend)
            try update.restore(checkpoint, run: run)
            checkpointer = Checkpointer(run: run, minutes: options.checkpointMinutes, lastStep: checkpoint.state.step)
            if group.rank == 0 { try run.truncateLog(after: update.step) }
        } else {
            if options.outputBias == .labelMeans {
                update.startOutputBias(at: Baselines(training: dataset.labels.subset(training)).trainingMean.map { max($0, 0.001) })
            }
            if group.rank == 0 { try run.create(configuration: configuration, options: options, dataset: dataset.root) }
        }
        if group.rank == 0 && !badImages.isEmpty {
            try run.writeBadImages(badImages)
            progress("left out \(badImages.count) unreadable image\(badImages.count == 1 ? "" : "s"), listed in \(run.badImagesFile)")
        }
    }

    /// The dataset's split with every image read once first: rows whose image fails are an error
    /// (`fail`) or left out (`skip`).
    static func usableRows(_ dataset: KaggleDataset, policy: ImageCheck.Policy, progress: (String) -> Void)
        throws -> (training: [Int], validation: [Int], bad: [ImageError]) {
        let (training, validation) = dataset.split
        let rows = training + validation
        let start = Date()
        let failures = ImageCheck.failures(paths: rows.map { dataset.trainingImagePath(dataset.labels.ids[$0]) })
        progress(String(format: "checked %d images in %.1f s: %d unreadable", rows.count, Date().timeIntervalSince(start), failures.count))
        if failures.isEmpty { return (training, validation, []) }
        guard policy == .skip else { throw TrainingError.badImages(failures.map(\.error)) }
        let bad = Set(failures.map { rows[$0.index] })
        let kept = (training.filter { !bad.contains($0) }, validation.filter { !bad.contains($0) })
        guard !kept.0.isEmpty, !kept.1.isEmpty else { throw TrainingError.badImages(failures.map(\.error)) }
        return (kept.0, kept.1, failures.map(\.error))
    }

    /// The transform of an un-augmented view of image `row` (centred models use its extraction).
    func plainTransform(_ row: Int) -> ViewTransform {
        ViewTransform().centred(on: configuration.centred ? extractions?[row] : nil)
    }

    /// Images per update over all processes (a dataset smaller than the batch gives all it has).
    var globalBatch: Int { min(options.batchSize, training.count) }

    func pipeline(startStep: Int) -> AugmentationPipeline {
        let labels = training.flatMap { Array(dataset.labels.row($0)) }
        let source = AugmentationPipeline.Source(paths: training.map { dataset.trainingImagePath(dataset.labels.ids[$0]) }, labels: labels,
                                                 labelWidth: DecisionTree.outputCount,
                                                 extractions: configuration.centred ? training.map { extractions![$0] } : nil)
        return AugmentationPipeline(source: source, batchSize: globalBatch, seed: options.seed, workers: options.workers, capacity: 6,
                                    mode: options.mode, startStep: startStep, slots: group.slots(ofBatch: globalBatch))
    }

    func validator() throws -> Validator {
        // Only rank 0 validates: the others hold no held-out images.
        let validation = group.rank == 0 ? self.validation : []
        return try Validator(paths: validation.map { dataset.trainingImagePath(dataset.labels.ids[$0]) }, transforms: validation.map(plainTransform),
                      truth: dataset.labels.subset(validation).values, workers: options.workers)
    }

    func checkpoint(best: Double?) throws {
        guard group.rank == 0 else { return }
        if try !checkpointer.write(update, bestValidationRMSE: best) { progress("not checkpointing step \(step): parameters are not finite") }
    }

    /// Updates between weight checksums compared across processes.
    public static let replicaCheckEvery = 50

    /// One update on this process's share of a batch, the gradients summed over the group; returns
    /// the global batch MSE.
    func update(with batch: AugmentedBatch, times: inout TrainingStep.Times) throws -> Float {
        let share = Float(batch.indices.count) / Float(globalBatch)
        let sum = group.gradientSum(count: update.model.parameterPaths.count)
        let g = update.gradients(for: batch, share: share, times: &times, ready: sum.ready)
        var loss = [Double(g.meanSquaredError) * Double(share)]
        let waitStart = Date()
        let gradients = sum.finish()
        group.sum(&loss)
        times.communication += Date().timeIntervalSince(waitStart)
        update.apply(gradients, times: &times)
        if group.size > 1 && step % Self.replicaCheckEvery == 0 {
            let checksums = group.gather(parameterChecksum(update.model.parameters.map(\.value)))
            if Set(checksums).count > 1 { throw TrainingError.replicasDiverged(step: step, checksums: checksums) }
        }
        return Float(loss[0])
    }

    /// Whether any process has been asked to stop (all processes stop at the same update).
    func stopRequested(_ stop: StopSignal) -> Bool {
        var flag = [stop.isRequested ? 1.0 : 0]
        group.sum(&flag)
        return flag[0] > 0
    }

    /// Trains until `options.steps` (or `until`, or a stop request); checkpoints every few minutes
    /// and at the end.
    public func train(until: Int? = nil, stop: StopSignal = .process) throws -> Summary {
        let baselines = Baselines(training: dataset.labels.subset(training))
        let baseline = validation.isEmpty ? Double.nan : baselines.evaluate(on: dataset.labels.subset(validation)).trainingMean.rmse
        let validator = try validator()
        let data = pipeline(startStep: step)
        defer { data.stop() }
        var times = TrainingStep.Times()
        var lossSum = 0.0, lossCount = 0, best: Double? = nil, lastValidation: Double? = nil
        var windowStart = Date(), windowImages = 0
        let runStart = Date(), startStep = step
        progress(String(format: "training %@ (%d parameters) on %d images, validating on %d; training-mean baseline RMSE %.4f",
                        configuration.name, model.parameterCount, training.count, validation.count, baseline))
        while step < min(options.steps, until ?? .max) {
            if stopRequested(stop) {
                try checkpoint(best: best)
                progress("stopped by request at step \(step); checkpoint written to \(run.checkpoint)")
                return Summary(step: step, validationRMSE: lastValidation, baselineRMSE: baseline, imagesPerSecond: 0, interrupted: true)
            }
            let batch: AugmentedBatch
            do { batch = try data.next() } catch {
                // An image that broke after the check: keep the updates done so far.
                try checkpoint(best: best)
                throw TrainingError.unreadableImage(step: step, error: error, checkpointStep: checkpointer.lastStep, directory: run.path)
            }
            let loss = try update(with: batch, times: &times)
            guard loss.isFinite else {
                throw TrainingError.nonFiniteLoss(step: step - 1, checkpointStep: checkpointer.lastStep, directory: run.path)
            }
            lossSum += Double(loss); lossCount += 1; windowImages += globalBatch
            let validate = step % options.validateEvery == 0 || step == options.steps
            if step % options.logEvery == 0 || validate {
                let rate = Double(windowImages) / max(Date().timeIntervalSince(windowStart), 1e-9)
                if validate { lastValidation = validator.rmse(of: update.evaluationModel); if let v = lastValidation { best = min(best ?? v, v) } }
                if group.rank != 0 { lossSum = 0; lossCount = 0; windowStart = Date(); windowImages = 0; continue }
                let entry = RunFolder.LogEntry(step: step, loss: lossSum / Double(lossCount), learning_rate: update.optimizer.learningRate,
                                               images_per_second: rate, validation_rmse: validate ? lastValidation : nil,
                                               phase: step <= options.warmUpSteps ? "warm-up" : "normalised")
                try run.append(entry)
                let done = Double(step - startStep), elapsed = Date().timeIntervalSince(runStart)
                let eta = done > 0 ? elapsed / done * Double(options.steps - step) : 0
                progress(String(format: "step %d/%d  loss %.5f (RMSE %.4f)  lr %g  %.1f img/s  ETA %@%@", step, options.steps, entry.loss,
                                entry.loss.squareRoot(), entry.learning_rate, rate, Self.duration(eta),
                                validate ? String(format: "  validation RMSE %.4f", lastValidation ?? .nan) : ""))
                if validate {
                    try run.writeCurve(LearningCurve.svg(run.readLog(), baseline: baseline.isFinite ? baseline : nil,
                                                         title: "\(configuration.name) on \(dataset.root)"))
                }
                lossSum = 0; lossCount = 0; windowStart = Date(); windowImages = 0
            }
            if group.rank == 0, try checkpointer.writeIfDue(update, bestValidationRMSE: best) == false {
                progress("not checkpointing step \(step): parameters are not finite")
            }
        }
        try checkpoint(best: best)
        let seconds = Date().timeIntervalSince(runStart)
        if group.size > 1 {
            progress(String(format: "%d processes: %.0f ms per update waiting for gradient sums after the backward pass, of %.0f ms",
                            group.size, 1000 * times.communication / Double(max(step - startStep, 1)), 1000 * seconds / Double(max(step - startStep, 1))))
        }
        return Summary(step: step, validationRMSE: lastValidation, baselineRMSE: baseline,
                       imagesPerSecond: Double((step - startStep) * options.batchSize) / max(seconds, 1e-9), interrupted: false)
    }

    /// Steady-state training speed: `warmUp` untimed updates, then `steps` timed ones with the
    /// realtime pipeline running; times are split into data waiting, convolution and dense
    /// forward, backward by op kind, and the optimizer.
    public func benchmark(warmUp: Int, steps: Int) throws -> (imagesPerSecond: Double, times: TrainingStep.Times) {
        let data = pipeline(startStep: step)
        defer { data.stop() }
        var ignored = TrainingStep.Times()
        for _ in 0..<warmUp { update(try data.next(), times: &ignored) }
        var times = TrainingStep.Times()
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
