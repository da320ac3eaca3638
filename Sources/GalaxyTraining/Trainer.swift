import Foundation
import GalaxyTensor
import GalaxyLayers
import GalaxyAutodiff
import GalaxyImaging
import GalaxyNetwork
import GalaxyZoo

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
        /// Whether validation stopped improving (`TrainingOptions.patience`) before the last update.
        public var stoppedEarly = false
    }

    public let dataset: KaggleDataset
    public let configuration: ModelConfiguration
    public let options: TrainingOptions
    public let run: RunFolder
    public let group: any ProcessGroup
    public internal(set) var update: TrainingStep
    var checkpointer: Checkpointer
    /// The best validation RMSE the resumed checkpoint recorded (kept in the next ones), and the
    /// losses it kept since its last log line.
    var resumedBest: Double?
    var resumedWindow: RunFolder.LossWindow?
    let parallel: DataParallelUpdate
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

    /// Starts a new run in `run` (which must not hold one) or, with `resume`, continues the run
    /// there: from its checkpoint, or from step 0 with its recorded options when it stopped before
    /// writing one (a crash, a NaN or a kill in the first minutes is not a dead end). A resumed
    /// run refuses labels that changed since it began.
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
        try Preflight.checkLabels(dataset, loss: configuration.objective)
        require(dataset.tree == configuration.tree, "Trainer: the dataset was opened with tree \(dataset.tree.name), the model answers \(configuration.tree.name)")
        let current = try RunDataset(dataset)
        if resume {
            if let change = try run.recordedDataset().change(to: current) {
                throw CheckpointError(file: run.datasetFile, reason: change + "; resume with those labels, or start a new run with --out")
            }
            if run.hasCheckpoint { _ = try run.readState() }  // an unreadable checkpoint is reported before anything is made
        }
        let restart = resume && !run.hasCheckpoint
        folderLock = group.rank == 0 ? try run.lock() : nil
        let report = self.progress
        let rows = try Preflight.usableRows(dataset, policy: options.onBadImage ?? .fail, cutout: configuration.cutout, progress: report)
        (training, validation, badImages) = (rows.training, rows.validation, rows.bad)
        parallel = DataParallelUpdate(group: group, globalBatch: min(options.batchSize, training.count))
        update = TrainingStep(configuration: configuration, options: options, backend: backend)
        checkpointer = Checkpointer(run: run, minutes: options.checkpointMinutes)
        if resume && !restart {
            let checkpoint = try run.readCheckpoint(backend: backend)
            try update.restore(checkpoint, run: run)
            resumedBest = checkpoint.state.bestValidationRMSE
            resumedWindow = checkpoint.state.lossWindow
            checkpointer = Checkpointer(run: run, minutes: options.checkpointMinutes, lastStep: checkpoint.state.step)
            if group.rank == 0 { try run.truncateLog(after: update.step) }
        } else {
            if options.outputBias == .labelMeans {
                let means = Baselines(training: dataset.labels.subset(training)).trainingMean
                update.startOutputBias(at: configuration.objective == .mse ? means.map { max($0, 0.001) }
                                       : GalaxyModel.concentrationBiases(startingAt: means, tree: configuration.tree))
            }
            if group.rank == 0 && restart {
                try run.truncateLog(after: -1)
                progress("\(run.path) has no checkpoint yet: the run starts again from step 0 with its recorded options")
            } else if group.rank == 0 {
                try run.create(configuration: configuration, options: options, dataset: current)
            }
        }
        if group.rank == 0, configuration.centred, let extractions,
           let fallbacks = SourceExtraction.fallbackReport(extractions, names: dataset.labels.ids.map(String.init)) {
            progress("note: " + fallbacks)
        }
        if group.rank == 0 && !badImages.isEmpty {
            try run.writeBadImages(badImages)
            progress("left out \(badImages.count) unreadable image\(badImages.count == 1 ? "" : "s"), listed in \(run.badImagesFile)")
        }
    }

    /// The transform of an un-augmented view of image `row` (centred models use its extraction).
    func plainTransform(_ row: Int) -> ViewTransform {
        configuration.cutout.plainTransform.centred(on: configuration.centred ? extractions?[row] : nil)
    }

    /// Images per update over all processes (a dataset smaller than the batch gives all it has).
    var globalBatch: Int { parallel.globalBatch }

    func pipeline(startStep: Int) -> AugmentationPipeline {
        let training = options.balanceClasses == true ? ClassBalance.rows(training, labels: dataset.labels, tree: configuration.tree) : self.training
        let labels = training.flatMap { Array(configuration.objective == .dirichletMultinomial ? dataset.votes!.row($0) : dataset.labels.row($0)) }
        let source = AugmentationPipeline.Source(paths: training.map { dataset.trainingImagePath(dataset.labels.ids[$0]) }, labels: labels,
                                                 labelWidth: configuration.tree.outputCount,
                                                 extractions: configuration.centred ? training.map { extractions![$0] } : nil,
                                                 cutout: configuration.cutout)
        return AugmentationPipeline(source: source, batchSize: globalBatch, seed: options.seed, workers: options.workers, capacity: 6,
                                    mode: options.mode, startStep: startStep, slots: group.slots(ofBatch: globalBatch))
    }

    func validator() throws -> Validator {
        // Only rank 0 validates: the others hold no held-out images.
        let validation = group.rank == 0 ? self.validation : []
        return try Validator(paths: validation.map { dataset.trainingImagePath(dataset.labels.ids[$0]) }, transforms: validation.map(plainTransform),
                      truth: dataset.labels.subset(validation).values, tree: configuration.tree, cutout: configuration.cutout,
                      workers: options.workers)
    }

    func checkpoint(best: Double?, window: RunFolder.LossWindow?) throws {
        guard group.rank == 0 else { return }
        if try !checkpointer.write(update, bestValidationRMSE: best, lossWindow: window) { progress("not checkpointing step \(step): parameters are not finite") }
    }

    /// The next batch; an image that broke after the pre-flight check keeps the updates so far.
    func next(from data: AugmentationPipeline, best: Double?, window: RunFolder.LossWindow) throws -> AugmentedBatch {
        do { return try data.next() } catch {
            try checkpoint(best: best, window: window)
            throw TrainingError.unreadableImage(step: step, error: error, checkpointStep: checkpointer.lastStep, directory: run.path)
        }
    }

    /// Trains until `options.steps` (or `until`, or a stop request); checkpoints every few minutes
    /// and at the end.
    public func train(until: Int? = nil, stop: StopSignal = .process) throws -> Summary {
        let baselines = Baselines(training: dataset.labels.subset(training))
        let baseline = validation.isEmpty ? Double.nan : baselines.evaluate(on: dataset.labels.subset(validation), tree: configuration.tree).trainingMean.rmse
        let end = min(options.steps, until ?? .max)
        if step >= end {
            // Resuming a finished run (or one already past --until) changes nothing, not even the checkpoint.
            progress("\(run.path) is at step \(step) of \(options.steps): nothing to train")
            return Summary(step: step, validationRMSE: run.readLog().last(where: { $0.validation_rmse != nil })?.validation_rmse, baselineRMSE: baseline,
                           imagesPerSecond: 0, interrupted: false)
        }
        let validator = try validator()
        let data = pipeline(startStep: step)
        defer { data.stop() }
        var log = TrainingLog(run: run, options: options, baseline: baseline, title: "\(configuration.name) on \(dataset.root)", startStep: step,
                              writes: group.rank == 0, window: resumedWindow, progress: progress)
        log.squaredError = configuration.objective == .mse
        var times = TrainingStep.Times(), best = resumedBest, lastValidation: Double? = nil, sinceBest = 0, stoppedEarly = false
        let startStep = step
        progress(String(format: "training %@ (%d parameters) on %d images, validating on %d; training-mean baseline RMSE %.4f",
                        configuration.name, model.parameterCount, training.count, validation.count, baseline))
        while step < end {
            if parallel.stopRequested(stop) {
                try checkpoint(best: best, window: log.window)
                progress("stopped by request at step \(step); checkpoint written to \(run.checkpoint)")
                return Summary(step: step, validationRMSE: lastValidation, baselineRMSE: baseline, imagesPerSecond: 0, interrupted: true)
            }
            let loss = try parallel(&update, batch: try next(from: data, best: best, window: log.window), times: &times)
            guard loss.isFinite else { throw TrainingError.nonFiniteLoss(step: step - 1, checkpointStep: checkpointer.lastStep, directory: run.path) }
            if log.validates(step) {
                lastValidation = validator.rmse(of: update.evaluationModel)
                if let v = lastValidation { sinceBest = v < (best ?? .infinity) ? 0 : sinceBest + 1; best = min(best ?? v, v) }
            }
            try log.record(step: step, loss: loss, images: globalBatch, learningRate: update.optimizer.learningRate, validationRMSE: lastValidation)
            if let patience = options.patience, sinceBest >= patience, step < end {
                progress(String(format: "stopping early at step %d: %d validations without improving on the best validation RMSE %.4f", step, patience, best ?? .nan))
                stoppedEarly = true
                break
            }
            if group.rank == 0, try checkpointer.writeIfDue(update, bestValidationRMSE: best, lossWindow: log.window) == false {
                progress("not checkpointing step \(step): parameters are not finite")
            }
        }
        try checkpoint(best: best, window: log.window)
        let updates = Double(max(step - startStep, 1))
        if group.size > 1 {
            progress(String(format: "%d processes: %.0f ms per update waiting for gradient sums after the backward pass, of %.0f ms",
                            group.size, 1000 * times.communication / updates, 1000 * log.elapsed / updates))
        }
        return Summary(step: step, validationRMSE: lastValidation, baselineRMSE: baseline,
                       imagesPerSecond: Double((step - startStep) * options.batchSize) / max(log.elapsed, 1e-9), interrupted: false, stoppedEarly: stoppedEarly)
    }

    /// Steady-state training speed: `warmUp` untimed updates, then `steps` timed ones with the
    /// realtime pipeline running (or, `reusingOneBatch`, on its first batch with the workers
    /// stopped: the update alone); times are split into data waiting, convolution and dense
    /// forward, backward by op kind, and the optimizer.
    public func benchmark(warmUp: Int, steps: Int, reusingOneBatch: Bool = false) throws -> (imagesPerSecond: Double, times: TrainingStep.Times) {
        let data = pipeline(startStep: step)
        defer { data.stop() }
        var ignored = TrainingStep.Times()
        let fixed = reusingOneBatch ? try data.next() : nil
        if fixed != nil { data.stop() }
        for _ in 0..<warmUp { update(try fixed ?? data.next(), times: &ignored) }
        var times = TrainingStep.Times()
        let profile = BackwardProfile()
        let start = DispatchTime.now().uptimeNanoseconds
        var images = 0
        for _ in 0..<steps {
            let waitStart = DispatchTime.now().uptimeNanoseconds
            let batch = try fixed ?? data.next()
            times.data += Double(DispatchTime.now().uptimeNanoseconds - waitStart) / 1e9
            update(batch, times: &times, profile: profile)
            images += batch.indices.count
        }
        times.total = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        times.backward = profile.seconds
        return (Double(images) / times.total, times)
    }
}
