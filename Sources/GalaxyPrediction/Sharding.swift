import Foundation
import GalaxyCore
import GalaxyZoo

/// One of `count` equal parts of a bulk prediction (a Slurm array task, or an MPI rank): the
/// images, in the order given, are cut into `count` contiguous runs and shard `index` takes run
/// `index`. Each shard writes its own files, atomically; `ShardSet.join` puts them together.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int, count: Int

    public init(index: Int, count: Int) {
        require(count > 0 && index >= 0 && index < count, "Shard: \(index)/\(count) is not one of \(count) shards")
        self.index = index
        self.count = count
    }

    /// Parses "i/N" (0 ≤ i < N).
    public init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n > 0, i >= 0, i < n else { return nil }
        self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// The positions of this shard among `total` items.
    public func range(of total: Int) -> Range<Int> { (index * total / count)..<((index + 1) * total / count) }

    /// The CSV this shard writes for the output `out` (`predictions.csv` → `predictions.shard-2-of-8.csv`).
    public func file(for out: String) -> String {
        (out as NSString).deletingPathExtension + ".shard-\(index)-of-\(count).csv"
    }

    /// Whether this shard's files are complete (the `.npy` is written last, atomically).
    public func isFinished(for out: String) -> Bool { FileManager.default.fileExists(atPath: PredictionFiles.npyPath(for: file(for: out))) }
}

/// A problem joining shards, naming what is missing or doubled.
public struct ShardError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

/// The shards of one bulk prediction.
public enum ShardSet {
    /// Joins the `count` shards of `out` into `out` (Kaggle CSV and .npy, sorted by GalaxyID).
    /// Refuses a missing shard (a gap) and a GalaxyID in two shards (an overlap). Returns the rows.
    @discardableResult
    public static func join(out: String, count: Int) throws -> Int {
        var ids: [Int] = [], values: [Float] = [], owner: [Int: Int] = [:]
        for index in 0..<count {
            let shard = Shard(index: index, count: count), file = shard.file(for: out)
            guard shard.isFinished(for: out) else {
                throw ShardError(reason: "shard \(shard) is missing (\(file) and its .npy): run it with --shard \(shard), then join again")
            }
            let table = try KaggleCSV.read(file)
            for id in table.ids {
                if let other = owner[id] { throw ShardError(reason: "GalaxyID \(id) is in shard \(other)/\(count) and shard \(shard): the shards overlap") }
                owner[id] = index
            }
            ids += table.ids
            values += table.values
        }
        try PredictionFiles.write(GalaxyTable(ids: ids, values: values), to: out)
        return ids.count
    }
}
