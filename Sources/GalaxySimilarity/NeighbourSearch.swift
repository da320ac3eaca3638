import Foundation
import GalaxyCore
import GalaxyTensor

/// Exact cosine neighbours (FAISS's IndexFlatIP on unit vectors, the search astronomy uses at
/// this scale): the queries against the table block by block, each block's rows scaled to unit
/// length as they are read and multiplied by the queries in one matrix product on the backend
/// (the BLAS sgemm), the k best of each query kept as the blocks go by. Memory is the queries,
/// one block and its scores, whatever the number of rows.
public struct NeighbourSearch: Sendable {
    /// One neighbour: its row in the table and its cosine similarity to the query.
    public struct Neighbour: Equatable, Sendable {
        public var row: Int, similarity: Float
        public init(row: Int, similarity: Float) { (self.row, self.similarity) = (row, similarity) }
    }

    public let embeddings: Embeddings
    public let backend: any Backend
    /// Table rows per block at most; fewer for many queries, so that a block's scores (queries ×
    /// rows) stay within `scoreFloats` and in cache while the best are picked from them.
    public var blockRows = 32_768, scoreFloats = 1 << 27
    /// Up to this many queries the table is read in one pass instead (`scan`).
    public var directQueries = 4

    public init(_ embeddings: Embeddings, backend: any Backend) { (self.embeddings, self.backend) = (embeddings, backend) }

    /// The `k` rows most similar to each of the table's rows `queries` (a row is not its own neighbour).
    public func nearest(toRows queries: Range<Int>, k: Int) -> [[Neighbour]] { nearest(toRows: Array(queries), k: k) }

    /// The same for any rows, in one search.
    public func nearest(toRows queries: [Int], k: Int) -> [[Neighbour]] {
        let d = embeddings.dimensions
        var unit = [Float](repeating: 0, count: queries.count * d)
        unit.withUnsafeMutableBufferPointer { buffer in
            for (q, row) in queries.enumerated() { embeddings.normalisedRows(row..<(row + 1), into: UnsafeMutableBufferPointer(rebasing: buffer[(q * d)..<((q + 1) * d)])) }
        }
        return search(unit, count: queries.count, k: k, skip: { q, row in row == queries[q] })
    }

    /// The `k` rows most similar to each of `vectors` (each `dimensions` long; scaled to unit length here).
    public func nearest(to vectors: [[Float]], k: Int) throws -> [[Neighbour]] {
        for v in vectors where v.count != embeddings.dimensions {
            throw EmbeddingError(file: embeddings.file, reason: "holds \(embeddings.dimensions)-dimensional embeddings; the query has \(v.count)")
        }
        let unit = vectors.flatMap { v -> [Float] in
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { norm > 0 ? $0 / norm : 0 }
        }
        return search(unit, count: vectors.count, k: k, skip: { _, _ in false })
    }

    func search(_ unitQueries: [Float], count: Int, k: Int, skip: (Int, Int) -> Bool) -> [[Neighbour]] {
        precondition(k > 0, "NeighbourSearch: k must be positive")
        if count <= directQueries { return scan(unitQueries, count: count, k: k, skip: skip) }
        let d = embeddings.dimensions, rows = embeddings.rows
        let blockRows = max(256, min(self.blockRows, scoreFloats / max(count, 1)))
        let queries = unitQueries.withUnsafeBufferPointer { backend.makeTensor(shape: [count, d], scalars: $0) }
        var best = [TopK](repeating: TopK(k: k), count: count)
        var block = [Float](repeating: 0, count: min(blockRows, rows) * d)
        for start in stride(from: 0, to: rows, by: blockRows) {
            let range = start..<min(start + blockRows, rows)
            block.withUnsafeMutableBufferPointer { buffer in
                // Reading and scaling the rows is memory-bound: spread it over the threads.
                Parallelism.forChunks(count: range.count, minimumChunk: 2_048) { part in
                    let slice = UnsafeMutableBufferPointer(rebasing: buffer[(part.lowerBound * d)..<(part.upperBound * d)])
                    embeddings.normalisedRows((range.lowerBound + part.lowerBound)..<(range.lowerBound + part.upperBound), into: slice)
                }
            }
            let table = block.withUnsafeBufferPointer { backend.makeTensor(shape: [range.count, d], scalars: UnsafeBufferPointer(rebasing: $0[0..<(range.count * d)])) }
            let scores = Tensor.matmul(queries, table, transposeB: true)
            backend.withHostScalars(scores) { s in
                best.withUnsafeMutableBufferPointer { best in
                    Parallelism.forChunks(count: count, minimumChunk: 1) { part in
                        for q in part {
                            let row = s.baseAddress!.advanced(by: q * range.count)
                            var threshold = best[q].threshold, j = 0
                            // Sixteen scores at a time: once k are held, almost every group is below the k-th best.
                            while j < range.count {
                                let end = min(j + 16, range.count)
                                if end - j == 16, !any(UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<Float>.self) .> threshold) { j = end; continue }
                                for i in j..<end where row[i] > threshold && !skip(q, range.lowerBound + i) {
                                    best[q].insert(Neighbour(row: range.lowerBound + i, similarity: row[i]))
                                    threshold = best[q].threshold
                                }
                                j = end
                            }
                        }
                    }
                }
            }
        }
        return best.map(\.sorted)
    }
}

extension NeighbourSearch {
    /// A few queries: one pass over the rows, each row's dot products with the queries and its
    /// length computed together as it is read (a matrix product would first copy and scale the
    /// table), the rows split over the threads and their best merged.
    func scan(_ unitQueries: [Float], count: Int, k: Int, skip: (Int, Int) -> Bool) -> [[Neighbour]] {
        let d = embeddings.dimensions, lock = NSLock()
        var best = [TopK](repeating: TopK(k: k), count: count)
        embeddings.withRows { base in
            unitQueries.withUnsafeBufferPointer { queries in
                Parallelism.forChunks(count: embeddings.rows, minimumChunk: 16_384) { part in
                    var local = [TopK](repeating: TopK(k: k), count: count), thresholds = [Float](repeating: -.infinity, count: count)
                    for r in part {
                        let x = base + r * d
                        let norm = Self.dot(x, x, d)
                        guard norm > 0 else { continue }
                        let scale = 1 / norm.squareRoot()
                        for q in 0..<count {
                            let similarity = Self.dot(x, queries.baseAddress! + q * d, d) * scale
                            if similarity > thresholds[q] && !skip(q, r) {
                                local[q].insert(Neighbour(row: r, similarity: similarity))
                                thresholds[q] = local[q].threshold
                            }
                        }
                    }
                    lock.lock(); defer { lock.unlock() }
                    for q in 0..<count { for n in local[q].sorted where n.similarity > best[q].threshold { best[q].insert(n) } }
                }
            }
        }
        return best.map(\.sorted)
    }

    /// Σ aᵢbᵢ over n floats, eight lanes at a time.
    @inline(__always) static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var lanes = SIMD8<Float>(), i = 0
        while i + 8 <= n {
            lanes += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self) * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var sum = lanes.sum()
        while i < n { sum += a[i] * b[i]; i += 1 }
        return sum
    }
}

/// The k best neighbours seen so far, most similar first (ties: the lower row first, so the
/// answer does not depend on the block size or the threads).
struct TopK {
    let k: Int
    private(set) var sorted: [NeighbourSearch.Neighbour] = []
    init(k: Int) { self.k = k; sorted.reserveCapacity(k + 1) }

    /// Below this nothing enters (−∞ until k are held).
    var threshold: Float { sorted.count < k ? -.infinity : sorted[k - 1].similarity.nextDown }

    mutating func insert(_ n: NeighbourSearch.Neighbour) {
        let at = sorted.firstIndex { $0.similarity < n.similarity || ($0.similarity == n.similarity && $0.row > n.row) } ?? sorted.count
        guard at < k else { return }
        sorted.insert(n, at: at)
        if sorted.count > k { sorted.removeLast() }
    }
}
