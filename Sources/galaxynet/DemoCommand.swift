import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyImaging
import GalaxyZoo
import GalaxyTraining
import GalaxyPrediction
import GalaxyNetwork
import GalaxyMock

/// `galaxynet demo`: the whole system on a mock universe in about ten minutes on two cores.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo",
        abstract: "Mock universe → train two small variants → predict with 60-way TTA → blend → submission and report.")

    @Option(help: "Output folder (must not exist).") var out = "demo-output"
    @Option(help: "Training galaxies in the mock universe (10% validate).") var count = 2000
    @Option(help: "Test galaxies.") var testCount = 300
    @Option(help: "Update steps per model.") var steps = 1200
    @OptionGroup var augmentation: TTAOptions
    @OptionGroup var compute: BackendOptions
    @Option(help: "Random seed.") var seed: UInt64 = 1

    func run() throws {
        let started = Date()
        func say(_ text: String) { FileHandle.standardOutput.write(Data((String(format: "[%5.0f s] ", Date().timeIntervalSince(started)) + text + "\n").utf8)) }
        guard !FileManager.default.fileExists(atPath: out) else {
            throw ValidationError("\(out) already exists; choose another --out (nothing is overwritten)")
        }
        let data = out + "/data"
        say("making a mock universe of \(count) training and \(testCount) test galaxies in \(data)")
        let universe = try MockUniverse.generate(.init(count: count, testCount: testCount, seed: seed), into: data)
        let dataset = try KaggleDataset(root: data)
        let backend = compute.backend.backend
        let tta = augmentation.tta
        var validationFiles: [String] = [], testFiles: [String] = [], lines: [String] = []
        let models = ["small", "small-centred"]
        StopSignal.installHandlers()
        for name in models {
            let configuration = try ModelConfiguration.named(name)
            var options = TrainingOptions(steps: steps, seed: seed)
            options.validateEvery = max(50, steps / 6)
            options.logEvery = 50
            let run = RunFolder(out + "/run-" + name)
            say("training \(name) for \(steps) steps → \(run.path)")
            let trainer = try Trainer(dataset: dataset, configuration: configuration, options: options, run: run, backend: backend,
                                      extractions: configuration.centred ? try dataset.trainingExtractions() : nil, progress: { say("  " + $0) })
            guard try !trainer.train().interrupted else { throw ExitCode(130) }
            let validation = try dataset.images(of: .validation, centred: configuration.centred)
            for transforms in Set([TestTimeAugmentation.none, tta]).sorted(by: { $0.rawValue < $1.rawValue }) {
                say("predicting the validation split of \(name) with \(transforms.rawValue) transform(s)")
                let values = try Predictor(folder: run.model, backend: backend, tta: transforms).predict(paths: validation.paths, extractions: validation.extractions)
                let file = out + "/\(name)-validation-tta\(transforms.rawValue).csv"
                try PredictionFiles.write(GalaxyTable(ids: validation.ids, values: values), to: file)
                let rmse = Evaluation(predictions: values, truth: dataset.labels.subset(dataset.split.validation).values).rmse
                lines.append(String(format: "| %@ | %d | %.5f |", name, transforms.rawValue, rmse))
                if transforms == tta { validationFiles.append(file) }
            }
            say("predicting \(dataset.testIDs.count) test galaxies with \(name), \(tta.rawValue) transforms")
            let test = try dataset.images(of: .test, centred: configuration.centred)
            let file = out + "/\(name)-test-tta\(tta.rawValue).csv"
            let values = try Predictor(folder: run.model, backend: backend, tta: tta).predict(paths: test.paths, extractions: test.extractions)
            try PredictionFiles.write(GalaxyTable(ids: test.ids, values: values), to: file)
            testFiles.append(file)
        }

        // Blends on validation (the files as written); the pruned uniform blend is the submission.
        let truth = dataset.labels.subset(dataset.split.validation)
        let x = try validationFiles.map { try KaggleCSV.read($0).sortedByID().values }
        let blends = BlendReport(models: models, validation: x, truth: truth.values)
        let tests = try testFiles.map { try KaggleCSV.read($0).sortedByID() }
        let submission = out + "/submission.csv"
        let npy = try PredictionFiles.write(GalaxyTable(ids: tests[0].ids, values: blends.submission(tests.map(\.values))), to: submission)
        let testTruth = try KaggleCSV.read(data + "/" + KaggleDataset.testSolutionsFile).sortedByID()
        // Score the file as written (values rounded as in the CSV), read once.
        let submitted = try KaggleCSV.read(submission).sortedByID().values
        let blendTest = Evaluation(predictions: submitted, truth: testTruth.values)
        let baselines = Baselines(training: dataset.labels.subset(dataset.split.training))
        let (zerosValidation, meanValidation) = baselines.evaluate(on: truth)
        let (zerosTest, meanTest) = baselines.evaluate(on: testTruth)
        try FileOutput.write(Report.scatterSVG(predictions: submitted, truth: testTruth.values, title: "blend on the mock test set"),
                             to: out + "/test-scatter.svg")
        var report = """
        # GalaxyNet demo report

        Mock universe: \(count) training galaxies (\(dataset.split.validation.count) held out for validation), \(testCount) test galaxies, seed \(seed).
        Two models trained for \(steps) updates of 16 images each; predictions averaged over \(tta.rawValue) test-time transforms.

        ## Validation RMSE

        | model | transforms | RMSE |
        |---|---|---|
        \(lines.joined(separator: "\n"))

        \(blends.markdown)

        Baselines on validation: training mean \(String(format: "%.5f", meanValidation.rmse)), all zeros \(String(format: "%.5f", zerosValidation.rmse)).

        ## Test set (scored against the held-back crowd votes)

        \(String(format: "Submission RMSE %.5f; training-mean baseline %.5f; all zeros %.5f; oracle floor %.5f (true probabilities vs. crowd votes, the best any model can do).", blendTest.rmse, meanTest.rmse, zerosTest.rmse, universe.oracleRMSETest ?? .nan))

        Per question: \(blendTest.perQuestion.enumerated().map { String(format: "Q%d %.4f", $0.offset + 1, $0.element) }.joined(separator: ", ")).

        Files: `submission.csv` and `submission.npy` (Kaggle format), per-model predictions, `run-*/learning-curve.svg`, `test-scatter.svg`.
        Wall time: \(String(format: "%.0f", Date().timeIntervalSince(started))) s.

        """
        report = report.replacingOccurrences(of: "\n\n\n", with: "\n\n")
        try FileOutput.write(report, to: out + "/report.md")
        print(report)
        say("wrote \(submission), \(npy), \(out)/report.md, \(out)/test-scatter.svg and the runs' learning curves")
    }
}
