import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyZoo
import GalaxyImaging
import GalaxyNetwork
import GalaxyMock
import GalaxyTraining
import GalaxyPrediction

/// The whole system on a mock universe: make the universe, train two small variants (plain and
/// centred), predict validation and test with test-time averaging, blend on validation, write
/// the Kaggle submission and a report scored against the held-back crowd votes.
public struct Demo {
    /// What the demo makes and how long it trains.
    public struct Settings: Sendable {
        public var out: String
        public var count = 2000
        public var testCount = 300
        public var steps = 1200
        public var tta = TestTimeAugmentation.full
        public var seed: UInt64 = 1
        public init(out: String) { self.out = out }
    }

    /// The variants trained and blended.
    public static let models = ["small", "small-centred"]

    public let settings: Settings
    public let backend: any Backend

    public init(settings: Settings, backend: any Backend) { (self.settings, self.backend) = (settings, backend) }

    /// Runs the demo, telling `say` what it does; returns the report (also written as report.md),
    /// or nil when a stop signal interrupted training.
    public func run(say: @escaping @Sendable (String) -> Void) throws -> String? {
        require(settings.count >= 10 && settings.testCount >= 1 && settings.steps > 0,
                "Demo: \(settings.count) training and \(settings.testCount) test galaxies, \(settings.steps) steps")
        let started = Date(), out = settings.out, data = out + "/data"
        guard !FileManager.default.fileExists(atPath: out) else {
            throw OutputError(file: out, reason: "it already exists; choose another output folder (nothing is overwritten)")
        }
        say("making a mock universe of \(settings.count) training and \(settings.testCount) test galaxies in \(data)")
        let universe = try MockUniverse.generate(.init(count: settings.count, testCount: settings.testCount, seed: settings.seed), into: data)
        let dataset = try KaggleDataset(root: data)
        var validationFiles: [String] = [], testFiles: [String] = [], rows: [DemoReport.Row] = []
        for name in Self.models {
            let configuration = try ModelConfiguration.named(name)
            let run = RunFolder(out + "/run-" + name)
            say("training \(name) for \(settings.steps) steps → \(run.path)")
            guard try !train(configuration, dataset: dataset, run: run, say: say) else { return nil }
            let validation = try dataset.images(of: .validation, centred: configuration.centred, cutout: configuration.cutout)
            for transforms in Set([TestTimeAugmentation.none, settings.tta]).sorted(by: { $0.rawValue < $1.rawValue }) {
                say("predicting the validation split of \(name) with \(transforms.rawValue) transform(s)")
                let values = try Predictor(folder: run.model, backend: backend, tta: transforms).predict(paths: validation.paths, extractions: validation.extractions)
                let file = out + "/\(name)-validation-tta\(transforms.rawValue).csv"
                try PredictionFiles.write(GalaxyTable(ids: validation.ids, values: values), to: file)
                let rmse = Evaluation(predictions: values, truth: dataset.labels.subset(dataset.split.validation).values, tree: .gz2).rmse
                rows.append(.init(model: name, transforms: transforms.rawValue, rmse: rmse))
                if transforms == settings.tta { validationFiles.append(file) }
            }
            say("predicting \(dataset.testIDs.count) test galaxies with \(name), \(settings.tta.rawValue) transforms")
            let test = try dataset.images(of: .test, centred: configuration.centred, cutout: configuration.cutout)
            let file = out + "/\(name)-test-tta\(settings.tta.rawValue).csv"
            let values = try Predictor(folder: run.model, backend: backend, tta: settings.tta).predict(paths: test.paths, extractions: test.extractions)
            try PredictionFiles.write(GalaxyTable(ids: test.ids, values: values), to: file)
            testFiles.append(file)
        }

        // Blends on validation (the files as written); the pruned uniform blend is the submission.
        let truth = dataset.labels.subset(dataset.split.validation)
        let x = try validationFiles.map { try KaggleCSV.read($0).sortedByID().values }
        let blends = BlendReport(models: Self.models, validation: x, truth: truth.values, tree: .gz2)
        let tests = try testFiles.map { try KaggleCSV.read($0).sortedByID() }
        let submission = out + "/submission.csv"
        let npy = try PredictionFiles.write(GalaxyTable(ids: tests[0].ids, values: blends.submission(tests.map(\.values))), to: submission)
        let testTruth = try KaggleCSV.read(data + "/" + KaggleDataset.testSolutionsFile).sortedByID()
        // Score the file as written (values rounded as in the CSV), read once.
        let submitted = try KaggleCSV.read(submission).sortedByID().values
        try FileOutput.write(Report.scatterSVG(predictions: submitted, truth: testTruth.values, title: "blend on the mock test set"),
                             to: out + "/test-scatter.svg")
        let baselines = Baselines(training: dataset.labels.subset(dataset.split.training))
        let report = DemoReport(settings: settings, validationCount: dataset.split.validation.count, rows: rows, blends: blends,
                                validation: baselines.evaluate(on: truth, tree: .gz2), test: baselines.evaluate(on: testTruth, tree: .gz2),
                                submission: Evaluation(predictions: submitted, truth: testTruth.values, tree: .gz2), oracle: universe.oracleRMSETest,
                                seconds: Date().timeIntervalSince(started)).markdown
        try FileOutput.write(report, to: out + "/report.md")
        say("wrote \(submission), \(npy), \(out)/report.md, \(out)/test-scatter.svg and the runs' learning curves")
        return report
    }

    /// Trains one variant; true when a stop signal interrupted it.
    private func train(_ configuration: ModelConfiguration, dataset: KaggleDataset, run: RunFolder, say: @escaping @Sendable (String) -> Void) throws -> Bool {
        var options = TrainingOptions(steps: settings.steps, seed: settings.seed)
        options.validateEvery = max(50, settings.steps / 6)
        options.logEvery = 50
        let trainer = try Trainer(dataset: dataset, configuration: configuration, options: options, run: run, backend: backend,
                                  extractions: configuration.centred ? try dataset.trainingExtractions(cutout: configuration.cutout) : nil, progress: { say("  " + $0) })
        return try trainer.train().interrupted
    }
}
