import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyImaging
import GalaxyZoo
import GalaxyTraining
import GalaxyPrediction
import GalaxyMock

/// `--out` of the commands that write predictions: a Kaggle CSV and a .npy beside it.
struct PredictionOutput: ParsableArguments {
    @Option(help: "Output CSV (the .npy goes beside it).") var out: String
}

/// `galaxynet predict`.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict",
        abstract: "Predict with a trained run (test-time averaging over 60 transforms), writing a Kaggle CSV and a .npy.")

    @Option(name: .customLong("run"), help: "Run directory with a checkpoint.") var runPath: String
    @Option(help: "Folder of <GalaxyID>.jpg to predict (default: --split of the run's dataset).") var images: String?
    @Option(help: "validation (the run's held-out 10%) or test (the dataset's images_test_rev1).") var split: DatasetSplit = .test
    @OptionGroup var augmentation: TTAOptions
    @OptionGroup var output: PredictionOutput
    @Option(help: "Worker threads for decoding and warping.") var workers = 2
    @OptionGroup var compute: BackendOptions

    func run() throws {
        let run = RunFolder(runPath)
        let (configuration, _) = try run.loadConfiguration()
        let ids: [Int], paths: [String], extractions: [SourceExtraction]?
        if let images {
            ids = try KaggleDataset.listImages(in: images)
            paths = ids.map { "\(images)/\($0).jpg" }
            extractions = configuration.centred ? try SourceExtractor.extract(files: paths) : nil
        } else {
            (ids, paths, extractions) = try KaggleDataset(root: try run.datasetPath()).images(of: split, centred: configuration.centred)
        }
        guard !ids.isEmpty else { throw ValidationError("no images to predict") }
        let predictor = try Predictor(run: run, backend: compute.backend.backend, tta: augmentation.tta)
        let start = Date()
        let values = try predictor.predict(paths: paths, extractions: extractions, workers: workers) { done, total in
            printProgress("predicting", done, total, Date().timeIntervalSince(start))
        }
        let npy = try PredictionFiles.write(GalaxyTable(ids: ids, values: values), to: output.out)
        print(String(format: "wrote %@ and %@ (%d galaxies × %d transforms, %.1f images/s)", output.out, npy, ids.count, augmentation.tta.rawValue,
                     Double(ids.count) / Date().timeIntervalSince(start)))
    }
}

/// `galaxynet evaluate`.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate",
        abstract: "RMSE of predictions against vote fractions: total, per question and per answer, baselines, oracle floor, a plot.")

    @Option(help: "Predictions CSV (Kaggle format).") var pred: String
    @Option(help: "True vote fractions CSV (rows are matched by GalaxyID).") var truth: String
    @Option(help: "Training labels for the baselines (default: training_solutions_rev1.csv beside --truth).") var trainingLabels: String?
    @Option(help: "Mock universe truth.csv for the oracle floor (default: beside --truth, if present).") var oracle: String?
    @Option(help: "SVG of predicted against true for the main answers.") var plot: String?

    func run() throws {
        let (p, t) = try Report.matched(try KaggleCSV.read(pred), try KaggleCSV.read(truth))
        let evaluation = Evaluation(predictions: p.values, truth: t.values)
        let folder = (truth as NSString).deletingLastPathComponent
        let trainingPath = trainingLabels ?? folder + "/" + KaggleDataset.solutionsFile
        var zeros: Double? = nil, mean: Double? = nil
        if let training = try? KaggleCSV.read(trainingPath) {
            let own = Set(t.ids)
            let baselines = Baselines(training: training.subset(training.ids.indices.filter { !own.contains(training.ids[$0]) }))
            let (z, m) = baselines.evaluate(on: t)
            zeros = z.rmse; mean = m.rmse
        }
        var floor: Double? = nil
        let oraclePath = oracle ?? folder + "/" + MockUniverse.truthFile
        if let probabilities = try? MockUniverse.readTruth(oraclePath), t.ids.allSatisfy({ probabilities[$0] != nil }) {
            floor = Evaluation(predictions: t.ids.flatMap { probabilities[$0]! }, truth: t.values).rmse
        }
        print("\(p.count) galaxies")
        print(Report.text(evaluation, zeros: zeros, mean: mean, oracle: floor))
        if let plot {
            try Data(Report.scatterSVG(predictions: p.values, truth: t.values, title: "\(pred) against \(truth)").utf8)
                .write(to: URL(fileURLWithPath: plot), options: .atomic)
            print("wrote \(plot)")
        }
    }
}

/// `galaxynet blend`.
struct BlendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "blend",
        abstract: "Blend several models' predictions: uniform, weighted on validation, per answer; prune useless models.")

    @Option(parsing: .upToNextOption, help: "Each model's validation predictions (CSV).") var validation: [String]
    @Option(parsing: .upToNextOption, help: "Each model's test predictions (CSV), in the same model order.") var test: [String] = []
    @Option(help: "True vote fractions of the validation images.") var truth: String
    @Option(help: "Output CSV of the pruned uniform blend of the test predictions (.npy beside it).") var out: String?

    func validate() throws {
        guard validation.count >= 2 else { throw ValidationError("give at least two models' --validation predictions") }
        guard test.isEmpty || test.count == validation.count else { throw ValidationError("--test needs one file per --validation file") }
    }

    func run() throws {
        let truthTable = try KaggleCSV.read(truth)
        let matched = try validation.map { try Report.matched(try KaggleCSV.read($0), truthTable) }
        guard Set(matched.map { $0.0.ids }).count == 1 else { throw ValidationError("the validation files cover different galaxies") }
        let report = BlendReport(models: validation, validation: matched.map { $0.0.values }, truth: matched[0].1.values)
        print(report.text)
        if let out, !test.isEmpty {
            let tables = try test.map { try KaggleCSV.read($0).sortedByID() }
            guard Set(tables.map(\.ids)).count == 1 else { throw ValidationError("the test files cover different galaxies") }
            let npy = try PredictionFiles.write(GalaxyTable(ids: tables[0].ids, values: report.submission(tables.map(\.values))), to: out)
            print("wrote \(out) and \(npy)")
        }
    }
}

/// `galaxynet classify`.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classify",
        abstract: "The 37 answers for a few images and a readable walk down the decision tree.")

    @Option(name: .customLong("run"), help: "Run directory with a checkpoint.") var runPath: String
    @Argument(help: "Images.") var images: [String]
    @OptionGroup var augmentation: TTAOptions
    @OptionGroup var compute: BackendOptions

    func run() throws {
        let predictor = try Predictor(run: RunFolder(runPath), backend: compute.backend.backend, tta: augmentation.tta)
        let extractions = predictor.model.configuration.centred ? try SourceExtractor.extract(files: images) : nil
        let values = try predictor.predict(paths: images, extractions: extractions)
        let n = DecisionTree.outputCount
        for (i, image) in images.enumerated() {
            let v = Array(values[(i * n)..<((i + 1) * n)])
            print("\(image)")
            print("  " + DecisionTree.describePath(v))
            print("  " + DecisionTree.answers.map { String(format: "%@ %.3f", $0.name, v[$0.column]) }.joined(separator: " "))
        }
    }
}
