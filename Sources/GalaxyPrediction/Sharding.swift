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

}

/// A problem joining shards, naming what is missing or doubled.
public struct ShardError: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

/// The shards of one bulk prediction.
public enum ShardSet {
    /// Joins the `count` shards of `out` into `out` (Kaggle CSV and .npy, sorted by GalaxyID).
    /// Each shard is checked against its record (its files unchanged, its IDs the ones it
    /// recorded, the same input, model and test-time set as every other shard, rows that follow on
    /// from the shard before); refuses a missing shard (a gap) and a GalaxyID in two shards (an
    /// overlap). Returns the rows.
    @discardableResult
    public static func join(out: String, count: Int, tree: DecisionTree, provenance: Provenance? = nil) throws -> Int {
        var ids: [Int] = [], values: [Float] = [], owner: [Int: Int] = [:], first: ShardRecord?
        for index in 0..<count {
            let shard = Shard(index: index, count: count), file = shard.file(for: out)
            guard let record = try ShardRecord.finished(shard, out: out) else {
                throw ShardError(reason: "shard \(shard) is missing (\(ShardRecord.path(for: shard, out: out))): run it with --shard \(shard), then join again")
            }
            let changes = first.map { record.provenance.differences(from: $0.provenance) } ?? []
            guard changes.isEmpty, record.rows.first == (first == nil ? 0 : ids.count) else {
                throw ShardError(reason: "shard \(shard) (\(file)) was not made by the same run as shard 0/\(count): "
                                 + (changes.isEmpty ? "its rows do not follow on" : changes.joined(separator: "; ")))
            }
            first = first ?? record
            let table = try KaggleCSV.read(file, tree: tree)
            guard ShardRecord.idChecksum(table.ids) == record.ids, table.ids.count == record.rows[1] - record.rows[0] else {
                throw ShardError(reason: "\(file) does not hold the GalaxyIDs its record lists")
            }
            for id in table.ids {
                if let other = owner[id] { throw ShardError(reason: "GalaxyID \(id) is in shard \(other)/\(count) and shard \(shard): the shards overlap") }
                owner[id] = index
            }
            ids += table.ids
            values += table.values
        }
        try PredictionFiles.write(GalaxyTable(ids: ids, values: values, width: tree.outputCount), tree: tree, to: out)
        if let provenance, let made = first?.provenance {
            try OutputProvenance.record(provenance.predicting(model: made.model, input: ("images", made.inputChecksum), views: made.testTimeTransforms), for: out)
        }
        return ids.count
    }
}

/// The processes of one sharded run started together (mpirun): each predicts its own shard,
/// then they add up what they did and wait for each other, so that rank 0 alone assembles the
/// result. The MPI world conforms in GalaxyDistributed; prediction does not know how it talks.
public protocol ShardPeers: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Replaces `values` by their element-wise sum over the peers.
    func sum(_ values: inout [Double])
    /// Returns when every peer has called it.
    func barrier()
}

extension Shard {
    /// The shard of `peers`' rank, one per process.
    public init(of peers: any ShardPeers) { self.init(index: peers.rank, count: peers.size) }
}

extension ShardSet {
    /// Waits for every peer to finish its shard; rank 0 then joins them (returning the rows),
    /// the other ranks return nil.
    public static func join(out: String, peers: any ShardPeers, tree: DecisionTree, provenance: Provenance? = nil) throws -> Int? {
        peers.barrier()
        return peers.rank == 0 ? try join(out: out, count: peers.size, tree: tree, provenance: provenance) : nil
    }
}
