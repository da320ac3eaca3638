import ArgumentParser
import Foundation
import GalaxyKernels
import GalaxySimilarity

/// `galaxynet bench similar`: the neighbour search's speed on random or given embeddings.
struct SimilarBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "similar",
        abstract: "Speed of the exact neighbour search: one query against every row (median), a block of queries, and every row's neighbours projected; bench/similar-side-by-side.py runs FAISS IndexFlatIP on the same file.")

    @Option(help: "Embeddings to search (default: random ones of --rows × --dimensions, written for the run and removed).") var embeddings: String?
    @Option(help: "Rows of the random embeddings.") var rows = 1_000_000
    @Option(help: "Dimensions of the random embeddings (Zoobot publishes 40-component PCA embeddings).") var dimensions = 40
    @Option(name: .short, help: "Neighbours per query.") var k = 10
    @Option(help: "Single queries timed.") var queries = 5
    @Option(help: "Queries searched as one block.") var batchRows = 4_096
    @OptionGroup var output: JSONOptions

    func validate() throws {
        guard rows > 1, dimensions > 0, k > 0, queries > 0, batchRows > 0 else { throw ValidationError("--rows > 1; --dimensions, -k, --queries and --batch-rows positive") }
    }

    func run() throws {
        var file = embeddings
        if file == nil {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("galaxynet-bench-similar-\(UUID().uuidString).npy").path
            try SimilarityBenchmark.writeRandom(rows: rows, dimensions: dimensions, seed: 1, to: path)
            file = path
        }
        defer { if embeddings == nil, let file { try? FileManager.default.removeItem(atPath: file) } }
        let search = NeighbourSearch(try Embeddings(file!), backend: OneDNNBackend.sharedFast)
        let report = SimilarityBenchmark(search).measure(k: k, queries: queries, batchRows: batchRows)
        if output.json { try output.print(report) } else { print(report.text) }
    }
}
