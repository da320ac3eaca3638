import Foundation
import GalaxyCore
import GalaxyZoo

/// A table of embeddings: `NAME.npy`, float32 [rows, dimensions] in C order (what NumPy, Zoobot's
/// published embeddings and FAISS use), memory-mapped so that a search reads the rows it needs
/// and memory does not grow with the rows; the IDs in `NAME.ids.npy` (int64 [rows]) beside it,
/// else the row numbers.
public struct Embeddings: @unchecked Sendable {
    public let file: String
    public let rows: Int, dimensions: Int
    /// One ID per row (row numbers when the table has no ID file).
    public let ids: [Int64]
    let data: Data, offset: Int

    public init(_ file: String) throws {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped) else {
            throw EmbeddingError(file: file, reason: "cannot read the file")
        }
        let (shape, offset) = try Self.header(data, descr: "<f4", file: file)
        guard shape.count == 2, shape[0] > 0, shape[1] > 0 else {
            throw EmbeddingError(file: file, reason: "expected a 2-D array [rows, dimensions] of float32, found shape \(shape)")
        }
        guard data.count == offset + 4 * shape[0] * shape[1] else {
            throw EmbeddingError(file: file, reason: "holds \((data.count - offset) / 4) floats, its shape \(shape) says \(shape[0] * shape[1])")
        }
        (self.file, self.data, self.offset, rows, dimensions) = (file, data, offset, shape[0], shape[1])
        let idFile = Self.idFile(for: file)
        if FileManager.default.fileExists(atPath: idFile) {
            guard let idData = FileManager.default.contents(atPath: idFile) else { throw EmbeddingError(file: idFile, reason: "cannot read the file") }
            let (idShape, idOffset) = try Self.header(idData, descr: "<i8", file: idFile)
            guard idShape == [rows], idData.count == idOffset + 8 * rows else {
                throw EmbeddingError(file: idFile, reason: "expected \(rows) int64 IDs (one per row of \(file)), found shape \(idShape)")
            }
            let count = shape[0]
            ids = idData.withUnsafeBytes { raw in (0..<count).map { raw.loadUnaligned(fromByteOffset: idOffset + 8 * $0, as: Int64.self) } }
        } else {
            ids = (0..<rows).map(Int64.init)
        }
    }

    /// The ID file of an embeddings file: `NAME.ids.npy`.
    public static func idFile(for file: String) -> String { (file as NSString).deletingPathExtension + ".ids.npy" }

    /// The rows as stored (rows × dimensions floats), for a pass that reads each once.
    func withRows<R>(_ body: (UnsafePointer<Float>) -> R) -> R {
        data.withUnsafeBytes { body($0.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Float.self)) }
    }

    /// Rows `range`, each scaled to unit length (a zero row stays zero), into `out` (rows × dimensions).
    func normalisedRows(_ range: Range<Int>, into out: UnsafeMutableBufferPointer<Float>) {
        data.withUnsafeBytes { raw in
            let base = raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: Float.self)
            for (k, row) in range.enumerated() {
                let source = base.advanced(by: row * dimensions), target = out.baseAddress!.advanced(by: k * dimensions)
                var norm: Float = 0
                for j in 0..<dimensions { norm += source[j] * source[j] }
                let scale = norm > 0 ? 1 / norm.squareRoot() : 0
                for j in 0..<dimensions { target[j] = source[j] * scale }
            }
        }
    }

    /// The row of `id`, or an error naming it.
    public func row(of id: Int64) throws -> Int {
        guard let row = ids.firstIndex(of: id) else { throw EmbeddingError(file: file, reason: "has no row with ID \(id)") }
        return row
    }

    /// The shape and data offset of a `.npy` of `descr` (`<f4`, `<i8`), naming `file` when it is not one.
    static func header(_ data: Data, descr: String, file: String) throws -> (shape: [Int], offset: Int) {
        let h: NPY.Header
        do { h = try NPY.header(of: data, file: file) } catch let error as KaggleDataError { throw EmbeddingError(file: file, reason: error.reason) }
        guard h.descr == descr, !h.fortranOrder else {
            throw EmbeddingError(file: file, reason: "expected a C-order \(descr == "<f4" ? "float32" : "int64") array, header: \(h.text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return (h.shape, h.dataOffset)
    }
}

/// An embeddings file or query that cannot be used, and why.
public struct EmbeddingError: Error, CustomStringConvertible {
    public let file: String, reason: String
    public init(file: String, reason: String) { (self.file, self.reason) = (file, reason) }
    public var description: String { "\(file): \(reason)" }
}
