import Foundation
import GalaxyCore

extension ProcessGroup {
    /// `text` from every rank, in rank order (the first 64 UTF-8 bytes each: host names), through
    /// the group's gather; every rank must call it.
    public func gather(text: String) -> [String] {
        let bytes = Array(text.utf8.prefix(64)) + [UInt8](repeating: 0, count: 64 - min(text.utf8.count, 64))
        let words = (0..<8).map { w in gather((0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[w * 8 + $1]) << (8 * UInt64($1)) }) }
        return (0..<size).map { rank in
            let raw = (0..<64).map { UInt8(truncatingIfNeeded: words[$0 / 8][rank] >> (8 * UInt64($0 % 8))) }
            return String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

extension Provenance {
    /// This process's provenance with the group's process count and every rank's host (every
    /// rank must call it).
    public func gathered(over group: any ProcessGroup) -> Provenance {
        var p = self
        p.processes = group.size
        p.hosts = group.gather(text: hosts.first ?? "")
        return p
    }
}

extension RunFolder {
    /// One `Provenance` per training session (the run's start and every resume), oldest first.
    public var provenanceFile: String { path + "/provenance.json" }

    /// The sessions recorded; empty for runs from before provenance was recorded.
    public func sessions() throws -> [Provenance] {
        guard FileManager.default.fileExists(atPath: provenanceFile) else { return [] }
        return try Provenance.read([Provenance].self, from: provenanceFile)
    }

    /// Adds a session, replacing the file atomically.
    func recordSession(_ session: Provenance) throws {
        try FileOutput.write(try Provenance.encoder.encode(try sessions() + [session]), to: provenanceFile)
    }
}

extension Trainer {
    /// Records this session in the run folder (rank 0; the others return): `provenance` with the
    /// update it begins at, the labels' checksum and that of the image list it trains on.
    public func record(_ provenance: Provenance) throws {
        guard group.rank == 0 else { return }
        var session = provenance
        session.firstStep = update.step
        // data.txt holds the checksum the trainer checked the labels against; runs older than it, none.
        session.inputs["labels"] = try run.recordedDataset().labelsChecksum ?? RunDataset(dataset).labelsChecksum
        session.inputs["images"] = Checksum.hex(lines: training.map { (dataset.trainingImagePath(dataset.labels.ids[$0]) as NSString).lastPathComponent })
        try run.recordSession(session)
    }
}
