import Foundation
import GalaxyCore
import GalaxyZoo

/// The oddest rows of a table of embeddings, ranked by the distance to their k-th nearest
/// neighbour, 1 − cos (the k-NN score Astronomaly and others use: a galaxy with few look-alikes
/// is far even from its k-th). The neighbours are `AllNeighbours`' resumable chunks, kept in
/// `OUT.parts/`, so a stopped run goes on where it was and a rerun with another `--top` is
/// immediate.
public struct Anomalies {
    public let neighbours: AllNeighbours

    public init(_ neighbours: AllNeighbours) { self.neighbours = neighbours }

    /// One ranked row.
    public struct Entry: Equatable, Sendable {
        public var row: Int, score: Float, nearest: Int, similarity: Float
    }

    /// The `top` highest scores, highest first (ties: the lower row), after computing any missing chunks.
    public func rank(top: Int, parts folder: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> [Entry] {
        precondition(top > 0, "Anomalies: top must be positive")
        _ = try neighbours.compute(into: folder, progress: progress)
        var best: [Entry] = []
        try neighbours.forEachChunk(in: folder) { rows, found, similarities in
            for r in 0..<rows.count {
                // A row with fewer than k others scores by the farthest it has.
                guard let last = similarities[r].lastIndex(where: { !$0.isNaN }) else { continue }
                best.append(Entry(row: rows.lowerBound + r, score: 1 - similarities[r][last], nearest: found[r][0], similarity: similarities[r][0]))
            }
            best.sort { $0.score > $1.score || ($0.score == $1.score && $0.row < $1.row) }
            if best.count > top { best.removeLast(best.count - top) }
        }
        return best
    }

    /// Writes the ranking as a table (CSV or FITS): rank, id, score, nearest neighbour's id and similarity.
    public func write(_ entries: [Entry], to out: String) throws {
        let e = neighbours.search.embeddings
        let columns = [TableColumn("rank", .int64), TableColumn("id", .int64), TableColumn("score", .float32),
                       TableColumn("nearest_id", .int64), TableColumn("nearest_similarity", .float32)]
        let writer = try makeTableWriter(path: out, columns: columns, textWidths: columns.map { _ in 1 })
        try writer.append(entries.enumerated().map { i, a in
            [.int64(Int64(i + 1)), .int64(e.ids[a.row]), .float32(a.score), .int64(a.nearest < 0 ? -1 : e.ids[a.nearest]), .float32(a.similarity)]
        })
        try writer.finish()
    }
}
