import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyImaging
import GalaxyModels
import GalaxyZoo
import GalaxyTraining
import GalaxyPrediction
import GalaxyDistributed
import GalaxyMock

/// `--out` of the commands that write predictions: a Kaggle CSV and a .npy beside it (or, for a
/// catalogue, a CSV or FITS table); each command checks it against its own inputs.
struct PredictionOutput: ParsableArguments {
    @Option(help: "Output CSV (the .npy goes beside it); with --catalog, .csv or .fits.") var out: String

    /// Refuses an output of another format than its extension names, or on top of an input.
    func check(inputs: [String], tables: Bool = false) throws {
        try OutputPath.check(out, extensions: tables ? ["csv", "fits"] : ["csv"], inputs: inputs)
        if !tables { try OutputPath.check(PredictionFiles.npyPath(for: out), inputs: inputs) }
    }
}

/// `galaxynet predict`.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "predict",
        abstract: "Predict with a trained run (test-time averaging over 60 transforms), writing a Kaggle CSV and a .npy.",
        discussion: """
        Bulk runs split the images into shards: `--shard i/N` predicts shard i of N (a Slurm array \
        task) into OUT.shard-i-of-N.csv; under mpirun each rank takes the shard of its rank and \
        rank 0 joins them into OUT. A rerun skips shards already written; `galaxynet join` joins.
        """)

    @Option(name: .customLong("run"), help: "Run directory with a checkpoint.") var runPath: String
    @Option(help: "Folder of <GalaxyID>.jpg to predict (default: --split of the run's dataset).") var images: String?
    @OptionGroup var catalogue: CatalogueOptions
    @OptionGroup var fits: FITSOptionGroup
    @Option(help: "validation (the run's held-out 10%) or test (the dataset's images_test_rev1; the default) of the run's dataset.") var split: DatasetSplit?
    @OptionGroup var augmentation: TTAOptions
    @OptionGroup var output: PredictionOutput
    @Option(help: "Predict only shard i of N (\"i/N\", 0 ≤ i < N); under mpirun the rank's shard is taken.") var shard: Shard?
    @Option(help: "Worker threads for decoding and warping.") var workers = 2
    @OptionGroup var compute: BackendOptions

    func validate() throws {
        guard catalogue.catalog == nil || images == nil else { throw ValidationError("give --catalog or --images, not both") }
        guard split == nil || (catalogue.catalog == nil && images == nil) else {
            throw ValidationError("--split chooses images of the run's dataset; it does nothing with --\(images != nil ? "images" : "catalog")")
        }
        guard catalogue.chunk > 0 else { throw ValidationError("--chunk must be positive") }
        try output.check(inputs: [catalogue.catalog, images].compactMap { $0 }, tables: catalogue.catalog != nil)
    }

    func run() throws {
        let run = RunFolder(runPath)
        if let path = catalogue.catalog { return try predictCatalogue(path, model: run.model) }
        let (configuration, _) = try run.loadConfiguration()
        var ids: [Int], paths: [String], cached: [SourceExtraction]? = nil, input: String
        if let images {
            ids = try KaggleDataset.listImages(in: images)
            paths = ids.map { "\(images)/\($0).jpg" }
            input = images
        } else {
            // The validation images' extractions come from the dataset's cache; others are measured per shard.
            let dataset = try KaggleDataset(root: try run.datasetPath())
            let split = self.split ?? .test
            (ids, paths, cached) = try dataset.images(of: split, centred: configuration.centred && split == .validation)
            input = "\(dataset.root) (\(split.rawValue))"
        }
        guard !ids.isEmpty else { throw ValidationError("no images to predict") }
        let (chosen, group) = Shard.chosen(shard)
        guard let part = chosen else {
            return try predict(ids: ids, paths: paths, extractions: cached, centred: configuration.centred, into: output.out, run: run)
        }
        let range = part.range(of: ids.count), file = part.file(for: output.out), shardIDs = Array(ids[range])
        let provenance = BulkProvenance(input: URL(fileURLWithPath: input).standardizedFileURL.path, inputChecksum: Checksum.hex(lines: paths),
                                        model: try run.model.fingerprint(), testTimeTransforms: augmentation.tta.rawValue, rendering: FITSOptions(),
                                        idColumn: "GalaxyID", fileColumn: "", partition: part.count)
        if try ShardRecord.reusable(part, out: output.out, provenance: provenance, rows: range, ids: shardIDs) {
            print("shard \(part) is already written (\(file)) by this same run; reused")
        } else {
            try predict(ids: shardIDs, paths: Array(paths[range]), extractions: cached.map { Array($0[range]) },
                        centred: configuration.centred, into: file, run: run)
            try ShardRecord.write(provenance, shard: part, rows: range, ids: shardIDs, out: output.out)
        }
        guard let group else { return print("join the \(part.count) shards with: galaxynet join --out \(output.out) --shards \(part.count)") }
        group.barrier()
        if group.rank == 0 { print("joined \(try ShardSet.join(out: output.out, count: part.count)) galaxies from \(part.count) shards into \(output.out)") }
    }

    /// Predicts `paths` (centred models measure each image first unless `extractions` are given)
    /// and writes `file` and its .npy.
    func predict(ids: [Int], paths: [String], extractions: [SourceExtraction]?, centred: Bool, into file: String, run: RunFolder) throws {
        let extractions = centred ? try extractions ?? SourceExtractor.extract(files: paths) : nil
        let predictor = try Predictor(folder: run.model, backend: compute.backend.backend, tta: augmentation.tta)
        let start = Date()
        let progress = Progress("predicting")
        let values = try predictor.predict(paths: paths, extractions: extractions, workers: workers) { progress($0, $1) }
        let npy = try PredictionFiles.write(GalaxyTable(ids: ids, values: values), to: file)
        print(String(format: "wrote %@ and %@ (%d galaxies × %d transforms, %.1f images/s)", file, npy, ids.count, augmentation.tta.rawValue,
                     Double(ids.count) / Date().timeIntervalSince(start)))
    }
}

/// `galaxynet join`.
struct JoinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "join",
        abstract: "Join the shards of a bulk prediction into one Kaggle CSV and .npy sorted by GalaxyID (refuses gaps and overlaps).")

    @OptionGroup var output: PredictionOutput
    @Option(help: "Number of shards N (the files OUT.shard-i-of-N.csv).") var shards: Int

    func validate() throws {
        guard shards > 0 else { throw ValidationError("--shards must be positive") }
        try output.check(inputs: (0..<shards).map { Shard(index: $0, count: shards).file(for: output.out) })
    }

    func run() throws {
        let rows = try ShardSet.join(out: output.out, count: shards)
        print("joined \(rows) galaxies from \(shards) shards into \(output.out) and \(PredictionFiles.npyPath(for: output.out))")
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
    @Flag(help: "Score the galaxies the two files share even when some predictions have no truth row.") var partial = false

    func validate() throws { if let plot { try OutputPath.check(plot, extensions: ["svg"], inputs: [pred, truth]) } }

    func run() throws {
        let (p, t, note) = try Report.matched(try KaggleCSV.read(pred), try KaggleCSV.read(truth), predictionsFile: pred, truthFile: truth, partial: partial)
        if let note { print("note: " + note) }
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
            try FileOutput.write(Report.scatterSVG(predictions: p.values, truth: t.values, title: "\(pred) against \(truth)"), to: plot)
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
        // Either alone would do nothing: --out writes the blend of the --test predictions.
        guard test.isEmpty == (out == nil) else { throw ValidationError("--out and --test go together: --out writes the blend of the --test predictions") }
        if let out { try OutputPath.check(out, extensions: ["csv"], inputs: validation + test + [truth]) }
    }

    func run() throws {
        let truthTable = try KaggleCSV.read(truth)
        let matched = try validation.map { try Report.matched(try KaggleCSV.read($0), truthTable, predictionsFile: $0, truthFile: truth) }
        guard Set(matched.map { $0.0.ids }).count == 1 else { throw ValidationError("the validation files cover different galaxies") }
        let report = BlendReport(models: validation, validation: matched.map { $0.0.values }, truth: matched[0].1.values)
        print(report.text)
        if let out {
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
    @Argument(help: "Images (JPEG or FITS cutouts).") var images: [String]
    @OptionGroup var augmentation: TTAOptions
    @OptionGroup var fits: FITSOptionGroup
    @OptionGroup var compute: BackendOptions

    func run() throws {
        let predictor = try Predictor(folder: ModelFolder(runPath), backend: compute.backend.backend, tta: augmentation.tta)
        let reader = try fits.reader
        let extractions = predictor.model.configuration.centred ? try SourceExtractor.extract(files: images, reader: reader) : nil
        let values = try predictor.predict(paths: images, extractions: extractions, reader: reader)
        let n = DecisionTree.outputCount
        for (i, image) in images.enumerated() {
            let v = Array(values[(i * n)..<((i + 1) * n)])
            print("\(image)")
            print("  " + DecisionTree.describePath(v))
            print("  " + DecisionTree.answers.map { String(format: "%@ %.3f", $0.name, v[$0.column]) }.joined(separator: " "))
        }
    }
}
