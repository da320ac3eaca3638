import Foundation
import GalaxyCore
import GalaxyZoo

/// One finished chunk of a catalogue run, as two files in the parts folder: `chunk-N.npy`, the
/// float32 block of the predicted rows (`PredictionSchema.numbers`), and `chunk-N.json`, this
/// value: what produced it, the catalogue rows it covers, the carried cells of each predicted
/// row as their exact text, the rows that failed and why, and the CRC-32 of the .npy. The JSON
/// is written last, so its presence means the chunk is complete.
public struct CataloguePart: Codable, Sendable {
    public var provenance: BulkProvenance
    /// The catalogue rows this chunk covers (0-based), and the IDs at its ends.
    public var firstRow: Int, rowCount: Int
    public var firstID: String, lastID: String
    /// The carried input columns, the ID first, with their input types.
    public var carried: [TableColumn]
    /// Per predicted row: its catalogue row and its carried cells (`Cell.exactText`).
    public var rows: [Int]
    public var cells: [[String]]
    public var failures: [Failure]
    public var numbersChecksum: String

    /// A row that could not be predicted.
    public struct Failure: Codable, Sendable {
        public var row: Int
        public var id: String, file: String, reason: String
    }

    public static func jsonFile(folder: String, chunk: Int) -> String { folder + String(format: "/chunk-%06d.json", chunk) }
    public static func npyFile(folder: String, chunk: Int) -> String { folder + String(format: "/chunk-%06d.npy", chunk) }

    /// Writes the block, then the description (the completion mark).
    public func write(numbers: [Float], folder: String, chunk: Int, schema: PredictionSchema) throws {
        let count = schema.numberCount
        precondition(numbers.count == rows.count * count, "CataloguePart: \(numbers.count) numbers for \(rows.count) rows")
        let npy = NPY.encode(shape: [rows.count, count], values: numbers)
        try FileOutput.write(Data(npy), to: Self.npyFile(folder: folder, chunk: chunk))
        var part = self
        part.numbersChecksum = String(Checksum.crc32(npy), radix: 16)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileOutput.write(try encoder.encode(part), to: Self.jsonFile(folder: folder, chunk: chunk))
    }

    /// The part of chunk `chunk`, or nil when it is not finished.
    public static func read(folder: String, chunk: Int) throws -> CataloguePart? {
        let file = jsonFile(folder: folder, chunk: chunk)
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        do { return try JSONDecoder().decode(CataloguePart.self, from: data) } catch {
            throw BulkError(reason: "\(file): unreadable part (\(error)); delete it to predict its rows again")
        }
    }

    /// The float32 block, checked against the recorded checksum and shape.
    public func numbers(folder: String, chunk: Int, schema: PredictionSchema) throws -> [Float] {
        let file = Self.npyFile(folder: folder, chunk: chunk)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw BulkError(reason: "\(file) is missing but its .json says the chunk is done; delete the .json to predict the chunk again")
        }
        let found = String(data.withUnsafeBytes { Checksum.crc32($0) }, radix: 16)
        guard found == numbersChecksum else {
            throw BulkError(reason: "\(file) is damaged or not the one its .json records (CRC-32 \(found), recorded \(numbersChecksum)); "
                            + "delete both to predict the chunk again")
        }
        let (shape, values) = try NPY.decode([UInt8](data), file: file)
        guard shape == [rows.count, schema.numberCount] else {
            throw BulkError(reason: "\(file) has shape \(shape), expected [\(rows.count), \(schema.numberCount)]")
        }
        return values
    }

    /// The typed output rows: carried cells, then the prediction's cells.
    public func outputRows(folder: String, chunk: Int, schema: PredictionSchema) throws -> [[Cell]] {
        let numbers = try numbers(folder: folder, chunk: chunk, schema: schema), n = schema.numberCount
        return try cells.enumerated().map { r, texts in
            let carriedCells = try zip(texts, carried).map { text, column in
                guard let cell = Cell(exactText: text, type: column.type) else {
                    throw BulkError(reason: "\(Self.jsonFile(folder: folder, chunk: chunk)): \"\(text)\" is not a \(column.type) (column \(column.name))")
                }
                return cell
            }
            return carriedCells + schema.cells(numbers: numbers[(r * n)..<((r + 1) * n)])
        }
    }
}
