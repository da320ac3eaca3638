import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyKernels
import GalaxySimilarity

/// `galaxynet similar`: exact cosine neighbours in a table of embeddings.
struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "similar",
        abstract: "Exact cosine neighbours in a table of embeddings (E.npy, float32 [rows, dimensions], IDs in E.ids.npy): of one galaxy (--id), or of every row (--all, a resumable table).",
        discussion: "The search multiplies the queries by the table block by block through BLAS (FAISS's IndexFlatIP on unit vectors); the table is memory-mapped, so memory does not grow with its rows.")

    @Option(help: "Embeddings: a .npy of float32 [rows, dimensions] (IDs in NAME.ids.npy beside it, else row numbers).") var embeddings: String
    @Option(help: "The ID whose neighbours to list (repeat for several).") var id: [Int64] = []
    @Flag(help: "Every row's neighbours, into --out.") var all = false
    @Option(name: .short, help: "Neighbours per query.") var k = 20
    @Option(help: "With --all: the table to write (.csv or .fits); OUT.parts/ keeps finished chunks for a rerun.") var out: String?

    func validate() throws {
        guard k > 0 else { throw ValidationError("-k must be positive") }
        guard all != !id.isEmpty else { throw ValidationError("give --id (one or more) or --all") }
        if all {
            guard let out else { throw ValidationError("--all writes a table: give --out NAME.csv or NAME.fits") }
            try OutputPath.check(out, extensions: ["csv", "fits"], inputs: [embeddings, Embeddings.idFile(for: embeddings)])
        }
    }

    func run() throws {
        let table = try Embeddings(embeddings)
        let search = NeighbourSearch(table, backend: OneDNNBackend.sharedFast)
        if all, let out {
            let (computed, reused) = try AllNeighbours(search, k: k).run(out: out, progress: Progress("neighbours").callAsFunction)
            return print("wrote \(out): \(k) neighbours of each of \(table.rows) rows (\(computed) chunks computed, \(reused) reused)")
        }
        let rows = try id.map { try table.row(of: $0) }
        // All the IDs in one search: up to four share one pass over the table.
        for (row, found) in zip(rows, search.nearest(toRows: rows, k: k)) {
            print("neighbours of \(table.ids[row]) (row \(row)):")
            for (rank, n) in found.enumerated() { print(String(format: "%4d  %lld  %.6f", rank + 1, table.ids[n.row], n.similarity)) }
        }
    }
}

/// `galaxynet anomalies`: the rows with the fewest look-alikes.
struct AnomaliesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "anomalies",
        abstract: "Rank a table of embeddings by oddness: the distance (1 − cosine) to each row's k-th nearest neighbour, highest first.",
        discussion: "Every row's neighbours are computed once, in resumable chunks kept in OUT.parts/; a rerun with another --top reuses them.")

    @Option(help: "Embeddings: a .npy of float32 [rows, dimensions] (IDs in NAME.ids.npy beside it, else row numbers).") var embeddings: String
    @Option(help: "Rows to list.") var top = 50
    @Option(name: .short, help: "The neighbour whose distance is the score.") var k = 10
    @Option(help: "The ranking (.csv or .fits).") var out: String

    func validate() throws {
        guard top > 0, k > 0 else { throw ValidationError("--top and -k must be positive") }
        try OutputPath.check(out, extensions: ["csv", "fits"], inputs: [embeddings, Embeddings.idFile(for: embeddings)])
    }

    func run() throws {
        let table = try Embeddings(embeddings)
        let ranking = Anomalies(AllNeighbours(NeighbourSearch(table, backend: OneDNNBackend.sharedFast), k: k))
        let entries = try ranking.rank(top: top, parts: AllNeighbours.partsFolder(for: out), progress: Progress("neighbours").callAsFunction)
        try ranking.write(entries, to: out)
        print("wrote \(out): the \(entries.count) of \(table.rows) rows farthest from their \(k)th neighbour")
        for (i, a) in entries.prefix(10).enumerated() { print(String(format: "%4d  %lld  score %.4f", i + 1, table.ids[a.row], a.score)) }
    }
}
