import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyZoo

/// Every row's k nearest neighbours, written as a table (CSV or FITS: `id`, `neighbour_1` …,
/// `similarity_1` …). The rows go in chunks, each written atomically into `OUT.parts/` as it
/// finishes, so a run stopped at any point and started again computes only the chunks it lacks;
/// the parts are refused when they were made from other embeddings or another k.
public struct AllNeighbours {
    public let search: NeighbourSearch
    public let k: Int
    public var chunkRows = 2_048

    public init(_ search: NeighbourSearch, k: Int) {
        precondition(k > 0, "AllNeighbours: k must be positive")
        (self.search, self.k) = (search, k)
    }

    /// What made the parts: they are reused only for the same.
    struct Record: Codable, Equatable {
        var embeddings: String, bytes: Int, modified: Double, rows: Int, dimensions: Int, k: Int, chunkRows: Int
    }

    public static func partsFolder(for out: String) -> String { out + ".parts" }

    /// Computes the missing chunks and writes `out`; returns the chunks computed and reused.
    public func run(out: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> (computed: Int, reused: Int) {
        let done = try compute(into: Self.partsFolder(for: out), progress: progress)
        try assemble(out: out, folder: Self.partsFolder(for: out))
        return done
    }

    /// Every chunk's neighbours in `folder`, computing only the chunks it lacks.
    public func compute(into folder: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> (computed: Int, reused: Int) {
        let e = search.embeddings, recordFile = folder + "/record.json"
        let attributes = try FileManager.default.attributesOfItem(atPath: e.file)
        let record = Record(embeddings: URL(fileURLWithPath: e.file).standardizedFileURL.path, bytes: (attributes[.size] as? Int) ?? 0,
                            modified: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0, rows: e.rows, dimensions: e.dimensions,
                            k: k, chunkRows: chunkRows)
        try FileOutput.createFolder(folder)
        if let data = FileManager.default.contents(atPath: recordFile) {
            guard (try? JSONDecoder().decode(Record.self, from: data)) == record else {
                throw EmbeddingError(file: folder, reason: "holds neighbours of other embeddings or another -k; remove it, or write to another --out")
            }
        } else {
            try FileOutput.write(try JSONEncoder().encode(record), to: recordFile)
        }
        var computed = 0, reused = 0
        for c in 0..<chunks {
            let rows = self.rows(of: c), file = partFile(folder, c)
            if (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) == rows.count * k * 8 { reused += 1; continue }
            var bytes = Data(capacity: rows.count * k * 8)
            let found = search.nearest(toRows: rows, k: k)
            for list in found { for i in 0..<k { withUnsafeBytes(of: Int32(i < list.count ? list[i].row : -1).littleEndian) { bytes.append(contentsOf: $0) } } }
            for list in found { for i in 0..<k { withUnsafeBytes(of: (i < list.count ? list[i].similarity : .nan).bitPattern.littleEndian) { bytes.append(contentsOf: $0) } } }
            try FileOutput.write(bytes, to: file)
            computed += 1
            progress(rows.upperBound, e.rows)
        }
        return (computed, reused)
    }

    var chunks: Int { (search.embeddings.rows + chunkRows - 1) / chunkRows }
    func rows(of chunk: Int) -> Range<Int> { (chunk * chunkRows)..<min((chunk + 1) * chunkRows, search.embeddings.rows) }

    /// Each computed chunk in order: its rows, and each row's neighbours (rows, −1 where fewer than k) and similarities.
    public func forEachChunk(in folder: String, _ body: (Range<Int>, [[Int]], [[Float]]) throws -> Void) throws {
        for c in 0..<chunks {
            let rows = self.rows(of: c)
            guard let data = FileManager.default.contents(atPath: partFile(folder, c)), data.count == rows.count * k * 8 else {
                throw EmbeddingError(file: partFile(folder, c), reason: "missing or incomplete; run the command again to compute it")
            }
            let (neighbours, similarities) = data.withUnsafeBytes { raw in
                ((0..<rows.count).map { r in (0..<k).map { Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * (r * k + $0), as: Int32.self))) } },
                 (0..<rows.count).map { r in (0..<k).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * (rows.count * k + r * k + $0), as: UInt32.self))) } })
            }
            try body(rows, neighbours, similarities)
        }
    }

    func partFile(_ folder: String, _ chunk: Int) -> String { folder + String(format: "/chunk-%06d.bin", chunk) }

    func assemble(out: String, folder: String) throws {
        let e = search.embeddings
        let columns = [TableColumn("id", .int64)] + (1...k).map { TableColumn("neighbour_\($0)", .int64) } + (1...k).map { TableColumn("similarity_\($0)", .float32) }
        let writer = try makeTableWriter(path: out, columns: columns, textWidths: columns.map { _ in 1 })
        try forEachChunk(in: folder) { rows, neighbours, similarities in
            try writer.append((0..<rows.count).map { r in
                [.int64(e.ids[rows.lowerBound + r])] + neighbours[r].map { .int64($0 < 0 ? -1 : e.ids[$0]) } + similarities[r].map { .float32($0) }
            })
        }
        try writer.finish()
    }
}
