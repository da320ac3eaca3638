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
        let e = search.embeddings, folder = Self.partsFolder(for: out), recordFile = folder + "/record.json"
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
        let chunks = (e.rows + chunkRows - 1) / chunkRows
        var computed = 0, reused = 0
        for c in 0..<chunks {
            let rows = (c * chunkRows)..<min((c + 1) * chunkRows, e.rows), file = partFile(folder, c)
            if FileManager.default.contents(atPath: file)?.count == rows.count * k * 8 { reused += 1; continue }
            var bytes = Data(capacity: rows.count * k * 8)
            let found = search.nearest(toRows: rows, k: k)
            for list in found { for i in 0..<k { withUnsafeBytes(of: Int32(i < list.count ? list[i].row : -1).littleEndian) { bytes.append(contentsOf: $0) } } }
            for list in found { for i in 0..<k { withUnsafeBytes(of: (i < list.count ? list[i].similarity : .nan).bitPattern.littleEndian) { bytes.append(contentsOf: $0) } } }
            try FileOutput.write(bytes, to: file)
            computed += 1
            progress(rows.upperBound, e.rows)
        }
        try assemble(out: out, folder: folder, chunks: chunks)
        return (computed, reused)
    }

    func partFile(_ folder: String, _ chunk: Int) -> String { folder + String(format: "/chunk-%06d.bin", chunk) }

    func assemble(out: String, folder: String, chunks: Int) throws {
        let e = search.embeddings
        let columns = [TableColumn("id", .int64)] + (1...k).map { TableColumn("neighbour_\($0)", .int64) } + (1...k).map { TableColumn("similarity_\($0)", .float32) }
        let writer = try makeTableWriter(path: out, columns: columns, textWidths: columns.map { _ in 1 })
        for c in 0..<chunks {
            let rows = (c * chunkRows)..<min((c + 1) * chunkRows, e.rows)
            guard let data = FileManager.default.contents(atPath: partFile(folder, c)) else { throw OutputError(file: partFile(folder, c), reason: "missing") }
            let table: [[Cell]] = data.withUnsafeBytes { raw in
                (0..<rows.count).map { r -> [Cell] in
                    let neighbours = (0..<k).map { i -> Cell in
                        let row = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * (r * k + i), as: Int32.self)))
                        return .int64(row < 0 ? -1 : e.ids[row])
                    }
                    let similarities = (0..<k).map { i in
                        Cell.float32(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * (rows.count * k + r * k + i), as: UInt32.self))))
                    }
                    return [.int64(e.ids[rows.lowerBound + r])] + neighbours + similarities
                }
            }
            try writer.append(table)
        }
        try writer.finish()
    }
}
