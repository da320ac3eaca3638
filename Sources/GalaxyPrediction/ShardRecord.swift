import Foundation
import GalaxyCore
import GalaxyZoo

/// What a finished shard of an image-folder prediction records beside its CSV and .npy: what
/// produced it (`BulkProvenance`), the rows it covers and checksums of what it wrote. It is
/// written last, atomically, so its presence means the shard is complete; a rerun reuses the
/// shard only when it matches, and `ShardSet.join` checks every shard against its record.
public struct ShardRecord: Codable, Equatable, Sendable {
    public var provenance: BulkProvenance
    /// This shard's position, its row range `[lower, upper)` among the input's images, and
    /// `idChecksum` of its GalaxyIDs.
    public var shard: Int, shards: Int
    public var rows: [Int]
    public var ids: String
    /// CRC-32 of the CSV and of the .npy as written.
    public var csv: String, npy: String

    /// CRC-32 of GalaxyIDs in ascending order, the order of the shard's CSV.
    public static func idChecksum(_ ids: [Int]) -> String { Checksum.hex(lines: ids.sorted().map(String.init)) }

    /// The record's path for shard `shard` of the output `out`.
    public static func path(for shard: Shard, out: String) -> String {
        (shard.file(for: out) as NSString).deletingPathExtension + ".json"
    }

    /// Records a shard just written (its CSV and .npy exist).
    public static func write(_ provenance: BulkProvenance, shard: Shard, rows: Range<Int>, ids: [Int], out: String) throws {
        let file = shard.file(for: out)
        let record = ShardRecord(provenance: provenance, shard: shard.index, shards: shard.count, rows: [rows.lowerBound, rows.upperBound],
                                 ids: idChecksum(ids),
                                 csv: try Checksum.hex(file: file),
                                 npy: try Checksum.hex(file: PredictionFiles.npyPath(for: file)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(record).write(to: URL(fileURLWithPath: path(for: shard, out: out)), options: .atomic)
    }

    /// The record of a finished shard, checked against its files; nil when the shard is not
    /// finished. A shard whose files changed since is refused by name.
    public static func finished(_ shard: Shard, out: String) throws -> ShardRecord? {
        let path = path(for: shard, out: out), file = shard.file(for: out)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let record: ShardRecord
        do { record = try JSONDecoder().decode(ShardRecord.self, from: Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw ShardError(reason: "\(path): not a shard record GalaxyNet wrote (\(error)); delete it and the shard's files to predict the shard again")
        }
        for (written, crc) in [(file, record.csv), (PredictionFiles.npyPath(for: file), record.npy)] {
            guard (try? Checksum.hex(file: written)) == crc else {
                throw ShardError(reason: "\(written) is missing or changed since shard \(shard) was written (\(path)); "
                                 + "delete the shard's files to predict it again")
            }
        }
        guard record.shard == shard.index, record.shards == shard.count else {
            throw ShardError(reason: "\(path) records shard \(record.shard)/\(record.shards), not \(shard)")
        }
        return record
    }

    /// Whether shard `shard` of `out` is finished under `provenance`: nil record → false; a record
    /// made by a different run is refused, naming it and what changed.
    public static func reusable(_ shard: Shard, out: String, provenance: BulkProvenance, rows: Range<Int>, ids: [Int]) throws -> Bool {
        guard let record = try finished(shard, out: out) else { return false }
        try provenance.check(reusing: path(for: shard, out: out), recorded: record.provenance)
        guard record.rows == [rows.lowerBound, rows.upperBound], record.ids == idChecksum(ids) else {
            throw ShardError(reason: "\(path(for: shard, out: out)) covers other images than shard \(shard) of this input; "
                             + "delete the old shards to predict again")
        }
        return true
    }
}
