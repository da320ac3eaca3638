import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyZoo
import GalaxyImaging
import GalaxyNetwork
import GalaxyTraining
import GalaxyDistributed

/// `galaxynet train`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train a Galaxy Zoo model on a Kaggle-layout dataset (real or mock).")

    @Option(help: "Dataset folder in the Kaggle layout (with --resume: instead of the one the run names).") var data: String?
    @Option(help: "Built-in model name (see `galaxynet models`) or a JSON configuration file (default: small).") var model: String?
    @Option(help: "Update steps (default: 1000).") var steps: Int?
    @Option(help: "Global batch: images per update, split across the processes of an MPI run (default: the original's 16; 8 with --recipe fast).") var batch: Int?
    @Flag(help: "With --batch above 16: scale the learning rates by batch/16 (linear scaling rule) with a linear ramp from the original rates.")
    var scaleLearningRate = false
    @Option(help: "Updates of that ramp (default: a twentieth of the run).") var rampSteps: Int?
    @Option(help: "Run directory to create.") var out: String?
    @Option(help: "Continue the run in this directory (model and options come from it).") var resume: String?
    @Option(help: "Stop after this update with a checkpoint (e.g. before a batch job's time limit); --resume continues.") var until: Int?
    @Option(help: "Random seed (default: 1).") var seed: UInt64?
    @OptionGroup var compute: BackendOptions
    @Option(help: "Augmentation worker threads (default: 2; may change on --resume).") var workers: Int?
    @Option(help: "Warm-up updates in clip mode (default: min(625, steps/5)).") var warmup: Int?
    @Option(help: "Validate every N steps (default: steps/20).") var validateEvery: Int?
    @Option(help: "Minutes between checkpoints (default: 10; may change on --resume).") var checkpointMinutes: Double?
    @Option(help: "Resampling mode (faithful | antiAliased; default: faithful).") var mode: ResamplingMode?
    @Option(help: "Weight of the dead-answer penalty added to the MSE (default 0: the original's plain MSE; 0.3 revives answers stuck at 0).")
    var deadAnswerPenalty: Float?
    @Option(help: "Dropout rate before each dense layer instead of the model's (recorded in run.json and model.json).") var dropout: Float?
    @Option(help: "Decision tree the labels answer: gz2 (default), gz-decals-dr5, gz-desi, or a tree file (.json).") var tree: String?
    @Option(help: "Loss: mse (vote fractions through the tree layer, the original) or dirichlet-multinomial (vote counts, training_votes.csv; the network outputs Dirichlet concentrations).")
    var loss: ModelConfiguration.Loss?
    @Option(help: "With the dirichlet-multinomial loss: weight of the squared error of the expected fractions against the realised vote fractions, added to the likelihood (default: 1000, measured in docs/trees-and-votes.md; 0: the likelihood alone).")
    var fractionWeight: Float?
    @OptionGroup var cutout: CutoutOptions
    @OptionGroup var recipe: RecipeOptions
    @Option(help: "Images that cannot be read, found by a check of every image before the first update: fail (stop, listing them) or skip (leave them out, listed in the run folder's bad-images.txt).")
    var onBadImage: ImageCheck.Policy?

    func validate() throws {
        guard resume != nil || (data != nil && out != nil) else { throw ValidationError("--data and --out are required (or --resume RUN_DIR)") }
        guard (steps ?? 1) > 0, (workers ?? 0) >= 0 else { throw ValidationError("--steps must be positive and --workers ≥ 0") }
        guard (batch ?? 1) > 0 else { throw ValidationError("--batch must be positive") }
        guard (validateEvery ?? 1) > 0, (checkpointMinutes ?? 1) > 0, (until ?? 1) > 0 else {
            throw ValidationError("--validate-every, --checkpoint-minutes and --until must be positive")
        }
        if rampSteps != nil && !scaleLearningRate { throw ValidationError("--ramp-steps belongs to --scale-learning-rate") }
        try RecipeOptions.check(choices, over: recipe.named.preset)
        _ = try cutout.format()
        if fractionWeight != nil && resume == nil && loss != .dirichletMultinomial {
            throw ValidationError("--fraction-weight belongs to --loss dirichlet-multinomial")
        }
    }

    /// The recipe's parts the flags override.
    var choices: TrainingChoices {
        var c = recipe.choices
        (c.steps, c.seed, c.batchSize, c.warmUpSteps, c.validateEvery, c.mode) = (steps, seed, batch, warmup, validateEvery, mode)
        (c.deadAnswerPenalty, c.dropout, c.onBadImage) = (deadAnswerPenalty, dropout, onBadImage)
        c.fractionWeight = fractionWeight ?? (loss == .dirichletMultinomial && resume == nil ? TrainingOptions.defaultFractionWeight : nil)
        c.linearScaling = scaleLearningRate ? .init(rampSteps: rampSteps) : nil
        return c
    }

    /// What may change between sessions of one run without changing its results.
    func sessionSettings(_ options: TrainingOptions) -> TrainingOptions {
        var o = options
        if let workers { o.workers = workers }
        if let checkpointMinutes { o.checkpointMinutes = checkpointMinutes }
        return o
    }

    func run() throws {
        let run = RunFolder(resume ?? out!)
        let (configuration, stored) = try resume != nil ? run.loadConfiguration() : {
            var configuration = try ModelConfiguration.named(model ?? "small")
            if let tree { configuration.tree = try DecisionTree.named(tree) }
            if let loss { configuration.loss = loss == .mse ? nil : loss }
            configuration.cutout = try cutout.format(over: configuration.cutout)
            return (configuration, recipe.named.options(overriddenBy: choices, parameterCount: configuration.parameterCount))
        }()
        if resume != nil {
            let conflicts = resumeConflicts(stored, model: configuration)
            guard conflicts.isEmpty else {
                throw ValidationError(conflicts.joined(separator: "; ") + ": cannot change a run being resumed, whose options come from its run.json "
                                      + "(start a new run with --out to change them)")
            }
        }
        let options = sessionSettings(stored)
        let dataset = try KaggleDataset(root: try data ?? run.datasetPath(), tree: configuration.tree)
        let group = Launcher.processGroup()
        let trainer = try Trainer(dataset: dataset, configuration: configuration, options: options, run: run, backend: compute.backend.backend,
                                  resume: resume != nil, extractions: configuration.centred ? try dataset.trainingExtractions(cutout: configuration.cutout) : nil, group: group)
        try trainer.record(compute.provenance())
        try trainer.adoptRecordedTrunk()
        try TrainingSession.run(trainer, group: group, until: until)
    }
}

/// Trains a built trainer to its end and reports it: shared by `train` and `finetune`.
enum TrainingSession {
    static func run(_ trainer: Trainer, group: any ProcessGroup, until: Int?) throws {
        let options = trainer.options, run = trainer.run
        StopSignal.installHandlers()
        do {
            let summary = try trainer.train(until: until)
            if summary.interrupted || (summary.step < options.steps && !summary.stoppedEarly) {
                if group.rank == 0 { print("stopped at step \(summary.step) of \(options.steps); continue with: galaxynet train --resume \(run.path)") }
                // A stop by signal is not a finished job (a batch system may requeue it); --until is.
                if summary.interrupted { throw ExitCode(130) }
                return
            }
            guard group.rank == 0 else { return }
            print(String(format: "finished at step %d: validation RMSE %@, training-mean baseline %.4f, %.1f images/s",
                         summary.step, summary.validationRMSE.map { String(format: "%.4f", $0) } ?? "n/a", summary.baselineRMSE, summary.imagesPerSecond))
            print("run directory: \(run.path) (model.json, run.json, data.txt, log.jsonl, learning-curve.svg, checkpoint/)")
        } catch let error as TrainingError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(3)
        }
    }
}
