import Foundation
import Testing
import GalaxyCore
import GalaxyTensor
import GalaxyKernels
import GalaxyZoo
import GalaxySimilarity
import TestSupport

/// A float32 table as .npy, and int64 IDs beside it.
func writeEmbeddings(_ values: [[Float]], ids: [Int64]? = nil) throws -> String {
    let file = TestSupport.temporaryFolder("embeddings") + "/e.npy"
    try NPY.write(shape: [values.count, values[0].count], values: values.flatMap { $0 }, to: file)
    if let ids {
        var bytes = NPY.header(descr: "<i8", shape: [ids.count])
        ids.withUnsafeBytes { bytes += $0 }
        try Data(bytes).write(to: URL(fileURLWithPath: Embeddings.idFile(for: file)))
    }
    return file
}

/// Brute force in double precision: each query row's k best other rows, most similar first (ties: lower row).
func bruteForce(_ values: [[Float]], queries: Range<Int>, k: Int) -> [[Int]] {
    let unit = values.map { v -> [Double] in let n = v.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot(); return v.map { Double($0) / n } }
    return queries.map { q in
        let scores = unit.indices.filter { $0 != q }.map { ($0, zip(unit[q], unit[$0]).reduce(0) { $0 + $1.0 * $1.1 }) }
        return scores.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(k).map(\.0)
    }
}

@Suite("Exact neighbour search")
struct NeighbourSearchTests {
    @Test func axesFindTheirNeighboursInClosedForm() throws {
        // Unit axes and their diagonals in 3-D: x's nearest are the diagonals through x (cos 1/√2), then y and z (cos 0).
        let s = Float(0.5).squareRoot()
        let values: [[Float]] = [[1, 0, 0], [0, 2, 0], [0, 0, 3], [s, s, 0], [s, 0, s], [0, s, s]]
        let search = NeighbourSearch(try Embeddings(try writeEmbeddings(values, ids: [10, 11, 12, 13, 14, 15])), backend: ReferenceBackend.shared)
        let found = search.nearest(toRows: 0..<1, k: 4)[0]
        #expect(found.map(\.row) == [3, 4, 1, 2], "\(found)")
        #expect(abs(found[0].similarity - s) < 1e-6 && abs(found[2].similarity) < 1e-6)
        #expect(try search.embeddings.row(of: 14) == 4)
        #expect(throws: EmbeddingError.self) { try search.embeddings.row(of: 99) }
    }

    /// The matrix-product path (several blocks, several queries) and the one-pass path give the
    /// brute-force answer; 7 dimensions exercise the lanes' remainder.
    @Test func bothPathsAgreeWithBruteForce() throws {
        var g = SeededGenerator(seed: 5)
        let values = (0..<300).map { _ in (0..<7).map { _ in g.nextNormal() } }
        var search = NeighbourSearch(try Embeddings(try writeEmbeddings(values)), backend: OneDNNBackend.sharedFast)
        search.blockRows = 64
        let expected = bruteForce(values, queries: 20..<30, k: 8)
        search.directQueries = 0
        #expect(search.nearest(toRows: 20..<30, k: 8).map { $0.map(\.row) } == expected)
        search.directQueries = 100
        #expect(search.nearest(toRows: 20..<30, k: 8).map { $0.map(\.row) } == expected)
        let vector = try search.nearest(to: [values[3]], k: 1)[0]
        #expect(vector.map(\.row) == [3] && abs(vector[0].similarity - 1) < 1e-5, "\(vector)")
        #expect(throws: EmbeddingError.self) { try search.nearest(to: [[1, 2, 3]], k: 1) }
    }

    @Test func everyRowsNeighboursAreWrittenResumedAndRefusedForAnotherK() throws {
        var g = SeededGenerator(seed: 6)
        let values = (0..<500).map { _ in (0..<12).map { _ in g.nextNormal() } }
        let file = try writeEmbeddings(values, ids: (0..<500).map { Int64($0) * 3 })
        var all = AllNeighbours(NeighbourSearch(try Embeddings(file), backend: OneDNNBackend.sharedFast), k: 5)
        all.chunkRows = 128
        let out = (file as NSString).deletingLastPathComponent + "/neighbours.csv"
        #expect(try all.run(out: out) == (computed: 4, reused: 0))
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines[0] == "id,neighbour_1,neighbour_2,neighbour_3,neighbour_4,neighbour_5,similarity_1,similarity_2,similarity_3,similarity_4,similarity_5")
        let expected = bruteForce(values, queries: 0..<500, k: 5)
        for (r, line) in lines.dropFirst().enumerated() {
            let cells = line.split(separator: ",")
            #expect(cells[0] == "\(r * 3)" && cells[1...5].map { Int($0)! / 3 } == expected[r], "row \(r): \(line)")
        }
        try FileManager.default.removeItem(atPath: AllNeighbours.partsFolder(for: out) + "/chunk-000002.bin")
        #expect(try all.run(out: out) == (computed: 1, reused: 3))
        #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n") == lines)
        let other = AllNeighbours(all.search, k: 6)
        #expect(throws: EmbeddingError.self) { try other.run(out: out) }
    }

    /// Three tight clusters of 60 and four lone directions: the four lead the ranking.
    @Test func loneRowsLeadTheAnomalyRanking() throws {
        var g = SeededGenerator(seed: 7)
        var values: [[Float]] = []
        for c in 0..<3 { for _ in 0..<60 { values.append((0..<10).map { j in (j == c ? 4 : 0) + 0.2 * g.nextNormal() }) } }
        let lone = [3, 50, 111, 170]
        for (n, row) in lone.enumerated() { values[row] = (0..<10).map { j in j == 4 + n ? 1 : 0.05 * g.nextNormal() } }
        let file = try writeEmbeddings(values)
        let ranking = Anomalies(AllNeighbours(NeighbourSearch(try Embeddings(file), backend: OneDNNBackend.sharedFast), k: 5))
        let parts = file + ".parts"
        let top = try ranking.rank(top: 6, parts: parts)
        #expect(Set(top.prefix(4).map(\.row)) == Set(lone) && top[0].score >= top[5].score && top[4].score < top[3].score, "\(top)")
        let out = file + ".anomalies.csv"
        try ranking.write(top, to: out)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 7 && lines[0] == "rank,id,score,nearest_id,nearest_similarity" && lines[1].hasPrefix("1,"), "\(lines)")
    }

    @Test func tablesThatAreNotEmbeddingsAreRefusedByName() throws {
        let folder = TestSupport.temporaryFolder("bad-embeddings")
        try Data("id,x\n1,2\n".utf8).write(to: URL(fileURLWithPath: folder + "/a.npy"))
        try NPY.write(shape: [6], values: [1, 2, 3, 4, 5, 6], to: folder + "/flat.npy")
        let good = try writeEmbeddings([[1, 0], [0, 1], [1, 1]], ids: [1, 2])
        for (file, says) in [(folder + "/a.npy", "not a .npy file"), (folder + "/flat.npy", "expected a 2-D array"),
                             (good, "expected 3 int64 IDs"), (folder + "/missing.npy", "cannot read")] {
            let error = try #require(throws: EmbeddingError.self) { try Embeddings(file) }
            #expect(error.description.contains(says) && error.description.contains((file as NSString).lastPathComponent == "e.npy" ? "e.ids.npy" : file), "\(error)")
        }
    }
}
