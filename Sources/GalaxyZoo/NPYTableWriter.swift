import Foundation
import GalaxyCore

/// A table as NumPy arrays, the layout embeddings are shared in (Zoobot, FAISS): the float32
/// columns after the first `carried` ones as one C-order `NAME.npy` [rows, columns], and the
/// first column — the ID, which must be an integer — as `NAME.ids.npy` (int64 [rows]). The other
/// carried columns have no place in it (a `.csv` or `.fits` output keeps them). Rows stream to
/// temporary files; `finish()` writes each array with its header and renames it into place.
public final class NPYTableWriter: TableWriter {
    let path: String, idPath: String, width: Int, carried: Int
    private let body: FileHandle, ids: FileHandle
    private let bodyFile: String, idsFile: String
    private var rows = 0

    public init(path: String, columns: [TableColumn], carried: Int) throws {
        precondition(carried >= 1 && carried < columns.count, "NPYTableWriter: \(carried) carried columns of \(columns.count)")
        let numbers = columns[carried...]
        guard numbers.allSatisfy({ $0.type == .float32 }) else {
            throw CatalogueError(file: path, reason: "a .npy output holds numbers only; this table has text columns (write .csv or .fits)")
        }
        (self.path, self.carried, width) = (path, carried, numbers.count)
        idPath = (path as NSString).deletingPathExtension + ".ids.npy"
        (bodyFile, idsFile) = (path + ".partial", idPath + ".partial")
        for file in [bodyFile, idsFile] where !FileManager.default.createFile(atPath: file, contents: nil) {
            throw OutputError(file: file, reason: String(cString: strerror(errno)))
        }
        body = try FileHandle(forWritingTo: URL(fileURLWithPath: bodyFile))
        ids = try FileHandle(forWritingTo: URL(fileURLWithPath: idsFile))
    }

    public func append(_ rows: [[Cell]]) throws {
        var values: [Float] = [], idValues: [Int64] = []
        values.reserveCapacity(rows.count * width)
        for row in rows {
            let id: Int64
            switch row[0] {
            case .int64(let v): id = v
            default:
                guard let v = Int64(row[0].exactText) else {
                    throw CatalogueError(file: path, reason: "the ID \"\(row[0].exactText)\" (row \(self.rows + idValues.count + 1)) is not a 64-bit integer, "
                                         + "which NAME.ids.npy holds; write .csv or .fits instead")
                }
                id = v
            }
            idValues.append(id)
            for cell in row[carried...] { if case .float32(let v) = cell { values.append(v) } else { values.append(Float(cell.exactText) ?? .nan) } }
        }
        do {
            try body.write(contentsOf: values.withUnsafeBytes { Data($0) })
            try ids.write(contentsOf: idValues.withUnsafeBytes { Data($0) })
        } catch { throw OutputError(file: bodyFile, reason: "\(error)") }
        self.rows += rows.count
    }

    public func finish() throws {
        try body.close()
        try ids.close()
        try Self.prepend(NPY.header(descr: "<f4", shape: [rows, width]), to: bodyFile, into: path)
        try Self.prepend(NPY.header(descr: "<i8", shape: [rows]), to: idsFile, into: idPath)
    }

    /// Writes `header` then the bytes of `file` to `path` (through a temporary, renamed into place), and removes `file`.
    static func prepend(_ header: [UInt8], to file: String, into path: String) throws {
        let temporary = path + ".partial.npy"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(header)), let out = FileHandle(forWritingAtPath: temporary),
              let source = FileHandle(forReadingAtPath: file) else {
            throw OutputError(file: temporary, reason: String(cString: strerror(errno)))
        }
        do {
            try out.seekToEnd()
            while let chunk = try source.read(upToCount: 1 << 24), !chunk.isEmpty { try out.write(contentsOf: chunk) }
            try out.close()
            try source.close()
        } catch { throw OutputError(file: temporary, reason: "\(error)") }
        try TableFiles.replace(path, with: temporary)
        try? FileManager.default.removeItem(atPath: file)
    }
}
