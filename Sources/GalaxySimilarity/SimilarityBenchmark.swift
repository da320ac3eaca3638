import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyZoo

/// The speed of the neighbour search: one query against the whole table (median of several),
/// and a block of queries at once (the all-pairs rate, and from it the time every row's
/// neighbours would take). `bench/similar-side-by-side.py` runs FAISS's IndexFlatIP on the same
/// file in the same run.
public struct SimilarityBenchmark {
    public struct Report: Codable, Sendable {
        public var rows: Int, dimensions: Int, k: Int, threads: Int
        /// Seconds for one query, each repeat, and their median.
        public var querySeconds: [Double], medianQuerySeconds: Double
        /// Queries answered per second in one block of `batchRows`, and all rows' neighbours at that rate.
        public var batchRows: Int, batchQueriesPerSecond: Double, allPairsSeconds: Double

        public var text: String {
            String(format: "%d × %d embeddings, k = %d, %d threads: one query %.3f s (median of %d); %d queries at once %.0f queries/s, every row's neighbours ≈ %.0f s (%.1f min)",
                   rows, dimensions, k, threads, medianQuerySeconds, querySeconds.count, batchRows, batchQueriesPerSecond, allPairsSeconds, allPairsSeconds / 60)
        }
    }

    public let search: NeighbourSearch
    public init(_ search: NeighbourSearch) { self.search = search }

    public func measure(k: Int, queries: Int, batchRows: Int) -> Report {
        let e = search.embeddings
        var seconds: [Double] = []
        for q in 0..<queries {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = search.nearest(toRows: (q % e.rows)..<(q % e.rows + 1), k: k)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let batch = min(batchRows, e.rows), start = DispatchTime.now().uptimeNanoseconds
        _ = search.nearest(toRows: 0..<batch, k: k)
        let rate = Double(batch) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        return Report(rows: e.rows, dimensions: e.dimensions, k: k, threads: Parallelism.computeThreads, querySeconds: seconds,
                      medianQuerySeconds: seconds.sorted()[seconds.count / 2], batchRows: batch, batchQueriesPerSecond: rate, allPairsSeconds: Double(e.rows) / rate)
    }

    /// Writes `rows` × `dimensions` standard normal float32 values (seeded) as a .npy, in blocks.
    public static func writeRandom(rows: Int, dimensions: Int, seed: UInt64, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(NPY.header(descr: "<f4", shape: [rows, dimensions]))), let handle = FileHandle(forWritingAtPath: path) else {
            throw EmbeddingError(file: path, reason: "cannot write the file")
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        var g = SeededGenerator(seed: seed)
        for start in stride(from: 0, to: rows, by: 65_536) {
            let values = (0..<(min(65_536, rows - start) * dimensions)).map { _ in g.nextNormal() }
            try values.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
        }
    }
}
