import Foundation
import GalaxyCore
import GalaxyFITS

/// Writes typed rows, streaming, to a CSV file or a FITS binary table: the same rows render the
/// same way whatever the format. The file is written under a temporary name and renamed over
/// `path` by `finish()`, so a reader never sees half a table.
public protocol TableWriter: AnyObject {
    func append(_ rows: [[Cell]]) throws
    func finish() throws
}

/// The writer for `path`'s extension (`.csv`, `.fits`); `textWidths` (the longest text of each
/// column, in UTF-8 bytes) sizes a FITS table's text columns.
public func makeTableWriter(path: String, columns: [TableColumn], textWidths: [Int], keywords: [TableKeyword] = []) throws -> any TableWriter {
    switch (path as NSString).pathExtension.lowercased() {
    case "csv": return try CSVTableWriter(path: path, columns: columns)
    case "fits": return try FITSTableWriter(path: path, columns: columns, textWidths: textWidths, keywords: keywords)
    default: throw CatalogueError(file: path, reason: "the output must end in .csv or .fits")
    }
}

/// Writes a table whose rows come in `batches` batches (`batch(i)`, read twice for FITS, so a
/// large table is never held whole). For FITS, the first pass sizes the text columns and finds
/// the type each of the first `retypable` text columns can take without changing a value
/// (`TextColumnTyping`: `007` stays text, an objid above Int64.max becomes an exact uint64).
/// `keywords` go into a FITS table's header (a CSV has none). A `.npy` path writes the numbers
/// after the `retypable` carried columns and the IDs (`NPYTableWriter`).
public func writeTable(path: String, columns: [TableColumn], retypable: Int, batches: Int, keywords: [TableKeyword] = [],
                       batch: (Int) throws -> [[Cell]]) throws {
    var columns = columns, widths = [Int](repeating: 1, count: columns.count)
    if (path as NSString).pathExtension.lowercased() == "fits" {
        var typing = [TextColumnTyping](repeating: TextColumnTyping(), count: columns.count)
        for i in 0..<batches {
            for row in try batch(i) {
                for (c, cell) in row.enumerated() where cell.type == .text {
                    widths[c] = max(widths[c], cell.exactText.utf8.count)
                    typing[c].observe(cell.exactText)
                }
            }
        }
        for c in 0..<retypable where columns[c].type == .text { columns[c].type = typing[c].type }
    }
    let writer = (path as NSString).pathExtension.lowercased() == "npy" ? try NPYTableWriter(path: path, columns: columns, carried: retypable)
        : try makeTableWriter(path: path, columns: columns, textWidths: widths, keywords: keywords)
    for i in 0..<batches { try writer.append(try batch(i)) }
    try writer.finish()
}

/// A string keyword of a FITS table's header: name (up to 8 characters), value and comment.
public struct TableKeyword: Sendable, Equatable {
    public var name: String, value: String, comment: String
    public init(_ name: String, _ value: String, _ comment: String = "") {
        precondition(name.count <= 8, "TableKeyword: FITS keyword names have at most 8 characters, not \(name)")
        (self.name, self.value, self.comment) = (name, value, comment)
    }
}

/// A CSV table: a header row, then each row's cells as their exact text (RFC 4180 quoting).
public final class CSVTableWriter: TableWriter {
    let path: String, temporary: String
    private let handle: FileHandle

    public init(path: String, columns: [TableColumn]) throws {
        self.path = path
        temporary = path + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: Data((Self.line(columns.map { .text($0.name) })).utf8)),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw OutputError(file: temporary, reason: String(cString: strerror(errno)))
        }
        self.handle = handle
        try handle.seekToEnd()
    }

    static func line(_ cells: [Cell]) -> String { cells.map { CatalogueReader.quoted($0.exactText) }.joined(separator: ",") + "\n" }

    public func append(_ rows: [[Cell]]) throws {
        do { try handle.write(contentsOf: Data(rows.map(Self.line).joined().utf8)) } catch { throw OutputError(file: temporary, reason: "\(error)") }
    }

    public func finish() throws {
        try handle.close()
        try TableFiles.replace(path, with: temporary)
    }
}

/// A FITS binary table named GALAXYNET: text as fixed-width `nA`, 64-bit integers `K`,
/// unsigned 64-bit `W` (K with TZERO = 2^63), float32 `E`, float64 `D`.
public final class FITSTableWriter: TableWriter {
    let path: String, temporary: String, columns: [TableColumn]
    private let file: FITSFile
    private var row = 0

    public init(path: String, columns: [TableColumn], textWidths: [Int], keywords: [TableKeyword] = []) throws {
        precondition(textWidths.count == columns.count, "FITSTableWriter: \(columns.count) columns, \(textWidths.count) widths")
        self.path = path
        self.columns = columns
        temporary = path + ".partial.fits"
        file = try FITSFile.create(temporary)
        let formats = zip(columns, textWidths).map { column, width in
            switch column.type {
            case .text: "\(max(width, 1))A"
            case .int64: "K"
            case .uint64: "W"
            case .float32: "E"
            case .float64: "D"
            }
        }
        try file.createTable(name: "GALAXYNET", columns: zip(columns, formats).map { FITSFile.Column($0.name, $1) })
        for k in keywords { try file.setText(k.name, k.value, comment: k.comment) }
    }

    public func append(_ rows: [[Cell]]) throws {
        guard !rows.isEmpty else { return }
        for (c, column) in columns.enumerated() {
            let cells = rows.map { $0[c] }
            switch column.type {
            case .text: try file.write(cells.map(\.exactText), column: c + 1, firstRow: row)
            case .int64: try file.write(cells.map { if case .int64(let v) = $0 { v } else { Int64($0.exactText)! } }, column: c + 1, firstRow: row)
            case .uint64: try file.write(cells.map { if case .uint64(let v) = $0 { v } else { UInt64($0.exactText)! } }, column: c + 1, firstRow: row)
            case .float32: try file.write(cells.map { if case .float32(let v) = $0 { v } else { Float($0.exactText)! } }, column: c + 1, firstRow: row)
            case .float64: try file.write(cells.map { cell -> Double in
                switch cell {
                case .float64(let v): v
                case .float32(let v): Double(v)
                case .int64(let v): Double(v)
                default: Double(cell.exactText)!
                }
            }, column: c + 1, firstRow: row)
            }
        }
        row += rows.count
    }

    public func finish() throws {
        try file.close()
        try TableFiles.replace(path, with: temporary)
    }
}

enum TableFiles {
    /// Renames `temporary` over `path` (atomic on one file system).
    static func replace(_ path: String, with temporary: String) throws {
        guard rename(temporary, path) == 0 else { throw OutputError(file: path, reason: "cannot replace it: \(String(cString: strerror(errno)))") }
    }
}
