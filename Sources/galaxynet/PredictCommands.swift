import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyImaging
import GalaxyZoo
import GalaxyTraining
import GalaxyPrediction
import GalaxyMock

/// Writes predictions as a Kaggle CSV and a .npy beside it (same name, .npy).
func writePredictions(_ table: GalaxyTable, to csv: String) throws -> String {
    try KaggleCSV.write(table, to: csv)
    let sorted = table.sortedByID()
    let npy = (csv as NSString).deletingPathExtension + ".npy"
    try NPY.write(shape: [sorted.count, DecisionTree.outputCount], values: sorted.values, to: npy)
    return npy
}

/// `galaxynet predict`.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict",
        abstract: "Predict with a trained run (test-time averaging over 60 transforms), writing a Kaggle CSV and a .npy.")

    @Option(name: .customLong("run"), help: "Run directory with a checkpoint.") var runPath: String
    @Option(help: "Folder of <GalaxyID>.jpg to predict (default: --split of the run's dataset).") var images: String?
    @Option(help: "validation (the run's held-out 10%) or test (the dataset's images_test_rev1).") var split = "test"
    @Option(help: "Test-time transforms: 60 or 1.") var tta = 60
    @Option(help: "Output CSV (the .npy goes beside it).") var out: String
    @Option(help: "Worker threads for decoding and warping.") var workers = 2
    @Option(help: "Compute backend.") var backend: BackendChoice = .onednn

    func run() throws {
        guard tta == 1 || tta == 60 else { throw ValidationError("--tta must be 60 or 1") }
        let runDirectory = RunDirectory(runPath)
        let (configuration, _) = try runDirectory.loadConfiguration()
        var ids: [Int], paths: [String], extractions: [SourceExtraction]? = nil
        if let images {
            ids = try KaggleDataset.listImages(in: images)
            paths = ids.map { "\(images)/\($0).jpg" }
            if configuration.centred { extractions = try paths.map { SourceExtractor.extract(try JPEG.read($0)) } }
        } else {
            guard let data = try? String(contentsOfFile: runPath + "/data.txt", encoding: .utf8) else {
                throw ValidationError("\(runPath) does not name its dataset (data.txt); pass --images")
            }
            let dataset = try KaggleDataset(root: data.trimmingCharacters(in: .whitespacesAndNewlines))
            switch split {
            case "validation":
                ids = dataset.split.validation.map { dataset.labels.ids[$0] }
                paths = ids.map(dataset.trainingImagePath)
                if configuration.centred { extractions = Array(try trainingExtractions(dataset)[dataset.split.validation.first!...]) }
            case "test":
                ids = dataset.testIDs
                paths = ids.map(dataset.testImagePath)
                if configuration.centred { extractions = try paths.map { SourceExtractor.extract(try JPEG.read($0)) } }
            default: throw ValidationError("--split must be validation or test")
            }
        }
        guard !ids.isEmpty else { throw ValidationError("no images to predict") }
        let predictor = try Predictor(run: runDirectory, backend: backend.backend, tta: tta)
        let start = Date()
        let values = try predictor.predict(paths: paths, extractions: extractions, workers: workers) { done, total in
            printProgress("predicting", done, total, Date().timeIntervalSince(start))
        }
        let npy = try writePredictions(GalaxyTable(ids: ids, values: values), to: out)
        print(String(format: "wrote %@ and %@ (%d galaxies × %d transforms, %.1f images/s)", out, npy, ids.count, tta,
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

    func run() throws {
        guard validation.count >= 2 else { throw ValidationError("give at least two models' --validation predictions") }
        guard test.isEmpty || test.count == validation.count else { throw ValidationError("--test needs one file per --validation file") }
        let truthTable = try KaggleCSV.read(truth)
        let matched = try validation.map { try Report.matched(try KaggleCSV.read($0), truthTable) }
        guard Set(matched.map { $0.0.ids }).count == 1 else { throw ValidationError("the validation files cover different galaxies") }
        let x = matched.map { $0.0.values }, y = matched[0].1.values
        func rmse(_ p: [Float]) -> Double { Evaluation(predictions: p, truth: y).rmse }
        for (file, p) in zip(validation, x) { print(String(format: "model %@: validation RMSE %.5f", file, rmse(p))) }
        let weights = Blend.fitWeights(x, truth: y), perAnswer = Blend.fitWeights(x, truth: y, perAnswer: true)
        let kept = Blend.kept(weights)
        print(String(format: "uniform blend:        %.5f", rmse(Blend.uniform(x))))
        print(String(format: "weighted blend:       %.5f  weights %@", rmse(Blend.weighted(x, weights: weights)),
                     weights.map { String(format: "%.3f", $0[0]) }.joined(separator: " ")))
        print(String(format: "per-answer blend:     %.5f", rmse(Blend.weighted(x, weights: perAnswer))))
        print(String(format: "pruned uniform blend: %.5f  (keeps %@)", rmse(Blend.uniform(kept.map { x[$0] })),
                     kept.map { validation[$0] }.joined(separator: ", ")))
        print("validation-fitted weights overfit validation: they only prune; the pruned uniform blend is the output")
        if let out, !test.isEmpty {
            let tables = try test.map { try KaggleCSV.read($0).sortedByID() }
            guard Set(tables.map(\.ids)).count == 1 else { throw ValidationError("the test files cover different galaxies") }
            let npy = try writePredictions(GalaxyTable(ids: tables[0].ids, values: Blend.uniform(kept.map { tables[$0].values })), to: out)
            print("wrote \(out) and \(npy)")
        }
    }
}

/// `galaxynet classify`.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classify",
        abstract: "The 37 answers for a few images and a readable walk down the decision tree.")

    @Option(name: .customLong("run"), help: "Run directory with a checkpoint.") var runPath: String
    @Argument(help: "JPEG images.") var images: [String]
    @Option(help: "Test-time transforms: 60 or 1.") var tta = 60

    func run() throws {
        let predictor = try Predictor(run: RunDirectory(runPath), backend: BackendChoice.onednn.backend, tta: tta)
        let centred = predictor.model.configuration.centred
        let extractions = centred ? try images.map { SourceExtractor.extract(try JPEG.read($0)) } : nil
        let values = try predictor.predict(paths: images, extractions: extractions)
        for (i, image) in images.enumerated() {
            let v = Array(values[(i * 37)..<((i + 1) * 37)])
            print("\(image)")
            print("  " + Self.walk(v))
            print("  " + DecisionTree.answers.map { String(format: "%@ %.3f", $0.name, v[$0.column]) }.joined(separator: " "))
        }
    }

    /// The most likely path down the tree with each answer's value.
    static func walk(_ v: [Float]) -> String {
        var steps: [String] = [], question: Int? = 1
        while let q = question {
            let answer = DecisionTree.questions[q - 1].answers.max { v[$0.column] < v[$1.column] }!
            steps.append(String(format: "%@ %.2f", answer.text, v[answer.column]))
            if case .question(let next) = answer.next { question = next } else { question = nil }
            if answer.question == 1 && answer.number == 3 { question = 6 }
        }
        return steps.joined(separator: " → ")
    }
}
