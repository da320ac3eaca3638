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

    @Option(name: [.customLong("run"), .customLong("model")], help: "Run directory with a checkpoint, or a model file (--model NAME.gnm, galaxynet export).") var runPath: String
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
        guard !ModelFile.isModelFile(runPath) || catalogue.catalog != nil || images != nil else {
            throw ValidationError("a model file holds no dataset: give --images or --catalog")
        }
        try output.check(inputs: [catalogue.catalog, images].compactMap { $0 }, tables: catalogue.catalog != nil)
    }

    func run() throws {
        let run = RunFolder(runPath)
        if let path = catalogue.catalog { return try predictCatalogue(path, model: run.model) }
        let configuration = try run.model.loadConfiguration()
        var ids: [Int], paths: [String], cached: [SourceExtraction]? = nil, input: String
        if let images {
            ids = try KaggleDataset.listImages(in: images)
            paths = ids.map { "\(images)/\($0).jpg" }
            input = images
        } else {
            // The validation images' extractions come from the dataset's cache; others are measured per shard.
            let dataset = try KaggleDataset(root: try run.datasetPath(), tree: try run.loadConfiguration().0.tree)
            if let change = try run.datasetChange(dataset) {
                FileHandle.standardError.write(Data("warning: \(change): the split is drawn from the labels as they are now\n".utf8))
            }
            let split = self.split ?? .test
            (ids, paths, cached) = try dataset.images(of: split, centred: configuration.centred && split == .validation, cutout: configuration.cutout)
            input = "\(dataset.root) (\(split.rawValue))"
        }
        guard !ids.isEmpty else { throw ValidationError("no images to predict") }
        var job = try ImagePrediction(ids: ids, paths: paths, extractions: cached, input: input, model: run.model,
                                      backend: compute.backend.backend, tta: augmentation.tta)
        job.workers = workers
        job.provenance = compute.provenance()
        let progress = Progress("predicting")
        let (chosen, peers) = Launcher.shard(asked: shard)
        guard let part = chosen else { return try report(job.predict(into: output.out) { progress($0, $1) }) }
        if let written = try job.predict(part, out: output.out, progress: { progress($0, $1) }) {
            try report(written)
        } else {
            print("shard \(part) is already written (\(part.file(for: output.out))) by this same run; reused")
        }
        let tree = job.predictor.model.configuration.tree
        guard let peers else {
            return print("join the \(part.count) shards with: galaxynet join --out \(output.out) --shards \(part.count)" + (tree == .gz2 ? "" : " --tree \(tree.name)"))
        }
        if let rows = try ShardSet.join(out: output.out, peers: peers, tree: tree, provenance: job.provenance) { print("joined \(rows) galaxies from \(part.count) shards into \(output.out)") }
    }

    func report(_ written: ImagePrediction.Written) throws {
        if let fallbacks = written.fallbacks { FileHandle.standardError.write(Data("note: \(fallbacks)\n".utf8)) }
        print(String(format: "wrote %@ and %@ (%d galaxies × %d transforms, %.1f images/s)", written.file, written.npy, written.rows,
                     augmentation.tta.rawValue, written.imagesPerSecond))
    }
}
