import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyImaging
import GalaxyZoo
import GalaxyTraining
import GalaxyNetwork

/// Source extractions of a dataset's training images, cached in the dataset folder.
func trainingExtractions(_ dataset: KaggleDataset) throws -> [SourceExtraction] {
    let cache = dataset.root + "/extraction_training.csv"
    if let text = try? String(contentsOfFile: cache, encoding: .utf8) {
        var byID: [Int: SourceExtraction] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",").compactMap { Double($0) }
            guard f.count == 8 else { continue }
            byID[Int(f[0])] = SourceExtraction(x: f[1], y: f[2], a: f[3], b: f[4], theta: f[5], petrosianRadius: f[6], scale: f[7], detected: f[6].isFinite)
        }
        if dataset.labels.ids.allSatisfy({ byID[$0] != nil }) { return dataset.labels.ids.map { byID[$0]! } }
    }
    let ids = dataset.labels.ids
    let slots = ResultSlots<Result<SourceExtraction, Error>>(count: ids.count)
    Parallelism.forEach(count: ids.count, threads: Parallelism.cores) { i in
        slots.set(i, Result { SourceExtractor.extract(try JPEG.read(dataset.trainingImagePath(ids[i]))) })
    } monitor: {}
    let found = try slots.values.map { try $0!.get() }
    var text = "GalaxyID,x,y,a,b,theta,petrosian_radius_px,scale\n"
    for (id, e) in zip(ids, found) { text += String(format: "%d,%.3f,%.3f,%.3f,%.3f,%.2f,%.3f,%.4f\n", id, e.x, e.y, e.a, e.b, e.theta, e.petrosianRadius, e.scale) }
    try? Data(text.utf8).write(to: URL(fileURLWithPath: cache), options: .atomic)
    return found
}

/// `galaxynet train`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Train a Galaxy Zoo model on a Kaggle-layout dataset (real or mock).")

    @Option(help: "Dataset folder in the Kaggle layout.") var data: String?
    @Option(help: "Built-in model name (see `galaxynet models`) or a JSON configuration file.") var model = "small"
    @Option(help: "Update steps (batches of 16).") var steps = 1000
    @Option(help: "Run directory to create.") var out: String?
    @Option(help: "Continue the run in this directory (model and options come from it).") var resume: String?
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Compute backend (reference | onednn).") var backend: BackendChoice = .onednn
    @Option(help: "Augmentation worker threads.") var workers = 2
    @Option(help: "Warm-up updates in clip mode (default: min(625, steps/5)).") var warmup: Int?
    @Option(help: "Validate every N steps (default: steps/20).") var validateEvery: Int?
    @Option(help: "Minutes between checkpoints.") var checkpointMinutes = 10.0
    @Option(help: "Resampling mode (faithful | antiAliased).") var mode = "faithful"
    @Option(help: "Weight of the dead-answer penalty added to the MSE (0: the original's plain MSE; 0.3 revives answers stuck at 0).")
    var deadAnswerPenalty: Float = 0

    func run() throws {
        let runDirectory: RunDirectory, configuration: ModelConfiguration, options: TrainingOptions, dataPath: String
        if let resume {
            runDirectory = RunDirectory(resume)
            (configuration, options) = try runDirectory.loadConfiguration()
            guard let stored = try? String(contentsOfFile: resume + "/data.txt", encoding: .utf8) else {
                throw ValidationError("\(resume) does not say which data it trained on (data.txt)")
            }
            dataPath = data ?? stored.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            guard let data, let out else { throw ValidationError("--data and --out are required (or --resume RUN_DIR)") }
            guard steps > 0, workers >= 0 else { throw ValidationError("--steps must be positive and --workers ≥ 0") }
            guard deadAnswerPenalty >= 0, deadAnswerPenalty.isFinite else { throw ValidationError("--dead-answer-penalty must be a number ≥ 0") }
            guard let resampling = ResamplingMode(rawValue: mode) else { throw ValidationError("--mode must be faithful or antiAliased") }
            configuration = try ModelConfiguration.named(model)
            var o = TrainingOptions(steps: steps, seed: seed)
            if let warmup { o.warmUpSteps = warmup }
            if let validateEvery { o.validateEvery = validateEvery }
            o.checkpointMinutes = checkpointMinutes
            o.workers = workers
            o.mode = resampling
            o.deadAnswerPenalty = deadAnswerPenalty > 0 ? deadAnswerPenalty : nil
            options = o
            runDirectory = RunDirectory(out)
            dataPath = data
        }
        let dataset = try KaggleDataset(root: dataPath)
        let extractions = configuration.centred ? try trainingExtractions(dataset) : nil
        let trainer = try Trainer(dataset: dataset, configuration: configuration, options: options, run: runDirectory,
                                  backend: backend.backend, resume: resume != nil, extractions: extractions)
        if resume == nil { try Data((dataPath + "\n").utf8).write(to: URL(fileURLWithPath: runDirectory.path + "/data.txt")) }
        do {
            let summary = try trainer.train()
            if summary.interrupted {
                print("stopped at step \(summary.step) of \(options.steps); continue with: galaxynet train --resume \(runDirectory.path)")
                return
            }
            print(String(format: "finished at step %d: validation RMSE %@, training-mean baseline %.4f, %.1f images/s",
                         summary.step, summary.validationRMSE.map { String(format: "%.4f", $0) } ?? "n/a", summary.baselineRMSE, summary.imagesPerSecond))
            print("run directory: \(runDirectory.path) (model.json, run.json, log.jsonl, learning-curve.svg, checkpoint/)")
        } catch let error as TrainingError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(3)
        }
    }
}
