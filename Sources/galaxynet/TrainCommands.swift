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

    @Option(help: "Dataset folder in the Kaggle layout.") var data: String?
    @Option(help: "Built-in model name (see `galaxynet models`) or a JSON configuration file.") var model = "small"
    @Option(help: "Update steps.") var steps = 1000
    @Option(help: "Global batch: images per update, split across the processes of an MPI run (the original: 16).") var batch = TrainingOptions.originalBatch
    @Flag(help: "With --batch above 16: scale the learning rates by batch/16 (linear scaling rule) with a linear ramp from the original rates.")
    var scaleLearningRate = false
    @Option(help: "Updates of that ramp (default: a twentieth of the run).") var rampSteps: Int?
    @Option(help: "Run directory to create.") var out: String?
    @Option(help: "Continue the run in this directory (model and options come from it).") var resume: String?
    @Option(help: "Stop after this update with a checkpoint (e.g. before a batch job's time limit); --resume continues.") var until: Int?
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @OptionGroup var compute: BackendOptions
    @Option(help: "Augmentation worker threads.") var workers = 2
    @Option(help: "Warm-up updates in clip mode (default: min(625, steps/5)).") var warmup: Int?
    @Option(help: "Validate every N steps (default: steps/20).") var validateEvery: Int?
    @Option(help: "Minutes between checkpoints.") var checkpointMinutes = 10.0
    @Option(help: "Resampling mode (faithful | antiAliased).") var mode: ResamplingMode = .faithful
    @Option(help: "Weight of the dead-answer penalty added to the MSE (0: the original's plain MSE; 0.3 revives answers stuck at 0).")
    var deadAnswerPenalty: Float = 0
    @OptionGroup var recipe: RecipeOptions

    func validate() throws {
        guard resume != nil || (data != nil && out != nil) else { throw ValidationError("--data and --out are required (or --resume RUN_DIR)") }
        guard steps > 0, workers >= 0 else { throw ValidationError("--steps must be positive and --workers ≥ 0") }
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
        guard validateEvery.map({ $0 > 0 }) ?? true, checkpointMinutes > 0, until.map({ $0 > 0 }) ?? true else {
            throw ValidationError("--validate-every, --checkpoint-minutes and --until must be positive")
        }
        guard deadAnswerPenalty >= 0, deadAnswerPenalty.isFinite else { throw ValidationError("--dead-answer-penalty must be a number ≥ 0") }
        if resume != nil, let flag = recipe.flagsGiven.first {
            throw ValidationError("\(flag) cannot change a run being resumed: its options come from run.json")
        }
    }

    /// The options of a new run from the flags.
    var trainingOptions: TrainingOptions {
        var o = TrainingOptions(steps: steps, seed: seed)
        if let warmup { o.warmUpSteps = warmup }
        if let validateEvery { o.validateEvery = validateEvery }
        o.checkpointMinutes = checkpointMinutes
        o.workers = workers
        o.mode = mode
        o.deadAnswerPenalty = deadAnswerPenalty > 0 ? deadAnswerPenalty : nil
        o.batchSize = batch
        recipe.apply(to: &o)
        if scaleLearningRate { o.scaleLearningRates(forBatch: batch, rampSteps: rampSteps ?? steps / 20) }
        return o
    }

    func run() throws {
        let run = RunFolder(resume ?? out!)
        let (configuration, options) = resume != nil ? try run.loadConfiguration() : (try ModelConfiguration.named(model), trainingOptions)
        let dataset = try KaggleDataset(root: try data ?? run.datasetPath())
        let group = Launcher.processGroup()
        let trainer = try Trainer(dataset: dataset, configuration: configuration, options: options, run: run, backend: compute.backend.backend,
                                  resume: resume != nil, extractions: configuration.centred ? try dataset.trainingExtractions() : nil, group: group)
        StopSignal.installHandlers()
        do {
            let summary = try trainer.train(until: until)
            if summary.interrupted || summary.step < options.steps {
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
