import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyImaging
import GalaxyModels
import GalaxyZoo

/// A list of images predicted into a Kaggle CSV and its .npy: all at once, or one shard of them
/// (a Slurm array task, an MPI rank) written beside the output with a record of what made it,
/// which a rerun reuses only when it matches. Centred models measure each image unless the
/// extractions are given (the predictor decides), and their fallbacks are reported.
public struct ImagePrediction {
    public let ids: [Int], paths: [String]
    public let extractions: [SourceExtraction]?
    /// What the images are (a folder, a dataset split), as the shard records name it.
    public let input: String
    public let model: ModelFolder
    public let predictor: Predictor
    public var workers = 2
    /// How this process was started; a whole-list output carries it in a sidecar
    /// (`OutputProvenance`) with the model's and the image list's checksums.
    public var provenance: Provenance?

    public init(ids: [Int], paths: [String], extractions: [SourceExtraction]?, input: String, model: ModelFolder,
                backend: any Backend, tta: TestTimeAugmentation) throws {
        require(ids.count == paths.count && (extractions?.count ?? ids.count) == ids.count, "ImagePrediction: \(ids.count) IDs for \(paths.count) paths")
        (self.ids, self.paths, self.extractions, self.input, self.model) = (ids, paths, extractions, input, model)
        predictor = try Predictor(folder: model, backend: backend, tta: tta)
    }

    /// What was written: the CSV, the .npy, the rows, their rate, and the extractions' fallbacks.
    public struct Written: Sendable {
        public var file: String, npy: String, rows: Int, imagesPerSecond: Double, fallbacks: String?
    }

    /// Predicts `rows` of the list into `file` (and its .npy).
    public func predict(_ part: Range<Int>? = nil, into file: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> Written {
        let rows = part ?? ids.indices, ids = Array(self.ids[rows]), paths = Array(self.paths[rows])
        let start = Date()
        let predictions = try predictor.predictions(paths: paths, extractions: extractions.map { Array($0[rows]) }, workers: workers,
                                                    progress: progress).map { try $0.get() }
        let tree = predictor.model.configuration.tree
        let npy = try PredictionFiles.write(GalaxyTable(ids: ids, values: predictions.flatMap(\.answers), width: tree.outputCount), tree: tree, to: file)
        if part == nil, let provenance {
            try OutputProvenance.record(provenance.predicting(model: try model.fingerprint(), input: ("images", Checksum.hex(lines: self.paths)),
                                                              views: predictor.transforms.count), for: file)
        }
        let used = predictions.compactMap(\.extraction)
        return Written(file: file, npy: npy, rows: ids.count, imagesPerSecond: Double(ids.count) / Date().timeIntervalSince(start),
                       fallbacks: used.count == ids.count ? SourceExtraction.fallbackReport(used, names: ids.map(String.init)) : nil)
    }

    /// Predicts `shard` of the list for the output `out` (into `shard.file(for: out)`), unless a
    /// record shows this same run already wrote it; returns nil when it was reused.
    public func predict(_ shard: Shard, out: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> Written? {
        let rows = shard.range(of: ids.count), shardIDs = Array(ids[rows])
        let provenance = BulkProvenance(input: URL(fileURLWithPath: input).standardizedFileURL.path, inputChecksum: Checksum.hex(lines: paths),
                                        model: try model.fingerprint(), testTimeTransforms: predictor.transforms.count, rendering: FITSOptions(),
                                        idColumn: "GalaxyID", fileColumn: "", partition: shard.count)
        if try ShardRecord.reusable(shard, out: out, provenance: provenance, rows: rows, ids: shardIDs) { return nil }
        let written = try predict(rows, into: shard.file(for: out), progress: progress)
        try ShardRecord.write(provenance, shard: shard, rows: rows, ids: shardIDs, out: out)
        return written
    }
}
