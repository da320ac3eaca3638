import Foundation
import GalaxyCore
import GalaxyFITS

/// A problem with a catalogue, naming the file and, where there is one, the line or row.
public struct CatalogueError: Error, CustomStringConvertible {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}

/// A survey catalogue read row by row in chunks, in constant memory whatever its length: a CSV
/// file with a header row (RFC 4180 quoting, a UTF-8 byte-order mark ignored), or the first binary
/// table of a FITS file (`.fits`, `.fits.gz`). Values come typed from the input's own schema: a
/// FITS table's integers, unsigned 64-bit IDs and doubles as themselves (a vector column split
/// into one column per element, `name_1`…), a CSV's cells as their exact text.
public final class CatalogueReader {
    public let path: String
    /// The columns, typed (CSV: all text).
    public let schema: [TableColumn]
    public var columns: [String] { schema.map(\.name) }
    /// Rows read so far.
    public private(set) var rowsRead = 0
    /// The row count of a FITS table (known without reading it); nil for CSV.
    public var tableRows: Int? { if case .fits(_, _, let rows) = source { rows } else { nil } }
    private var source: Source

    /// How one FITS column is read: its number, kind and elements per row.
    private struct FITSColumn { let number: Int, kind: FITSFile.ColumnKind, elements: Int }

    private enum Source {
        case csv(LineReader)
        case fits(FITSFile, [FITSColumn], rows: Int)
    }

    /// Whether `path` names a FITS file (also compressed).
    public static func isFITS(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent.lowercased()
        return [".fits", ".fit", ".fts", ".fits.gz", ".fit.gz", ".fts.gz"].contains { name.hasSuffix($0) }
    }

    public init(_ path: String) throws {
        self.path = path
        if Self.isFITS(path) {
            let file = try FITSFile.open(path)
            var hdu = 2
            while true {
                guard hdu <= (try file.hduCount) else { throw CatalogueError(file: path, reason: "no binary table in the file") }
                if try file.move(to: hdu) == .binaryTable { break }
                hdu += 1
            }
            var schema: [TableColumn] = [], plan: [FITSColumn] = []
            for (index, name) in try file.columnNames().enumerated() {
                let (kind, count) = try file.columnKind(index + 1)
                let type: ColumnType
                switch kind {
                case .text, .logical: type = .text
                case .signed: type = .int64
                case .unsigned: type = .uint64
                case .float32: type = .float32
                case .float64: type = .float64
                case .unsupported(let what):
                    throw CatalogueError(file: path, reason: "column \(name) holds \(what), which GalaxyNet cannot carry; drop it from the table")
                }
                let elements = type == .text ? 1 : count
                plan.append(FITSColumn(number: index + 1, kind: kind, elements: elements))
                schema += elements == 1 ? [TableColumn(name, type)] : (1...max(elements, 1)).map { TableColumn("\(name)_\($0)", type) }
            }
            self.schema = schema
            source = .fits(file, plan, rows: try file.rowCount())
        } else {
            let lines = try LineReader(path)
            guard var header = try lines.next() else { throw CatalogueError(file: path, reason: "empty file: expected a header row") }
            if header.hasPrefix("\u{FEFF}") { header.removeFirst() }
            schema = try Self.fields(header, file: path, line: 1).map { TableColumn($0, .text) }
            source = .csv(lines)
        }
        let names = schema.map(\.name)
        if let twice = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw CatalogueError(file: path, reason: "the column name \"\(twice)\" appears twice; rename one")
        }
    }

    /// The index of column `name`, or an error listing the columns there are.
    public func column(_ name: String, role: String) throws -> Int {
        guard let i = columns.firstIndex(of: name) else {
            throw CatalogueError(file: path, reason: "no \(role) column \"\(name)\" (columns: \(columns.joined(separator: ", ")))")
        }
        return i
    }

    /// Up to `count` more rows (fewer at the end, none after it), each with one value per column.
    public func next(_ count: Int) throws -> [[Cell]] {
        switch source {
        case .csv(let lines):
            var rows: [[Cell]] = []
            while rows.count < count, var line = try lines.next() {
                if line.isEmpty { continue }
                let start = lines.lineNumber
                // A quoted field may hold line breaks: the record goes on until its quotes close.
                while Self.continues(line) {
                    guard let more = try lines.next() else {
                        throw CatalogueError(file: path, reason: "line \(start): a quoted field is not closed before the end of the file")
                    }
                    line += "\n" + more
                }
                let values = try Self.fields(line, file: path, line: start)
                guard values.count == schema.count else {
                    throw CatalogueError(file: path, reason: "line \(start): \(values.count) fields, the header has \(schema.count)")
                }
                rows.append(values.map(Cell.text))
            }
            rowsRead += rows.count
            return rows
        case .fits(let file, let plan, let total):
            let range = rowsRead..<min(rowsRead + count, total)
            var byColumn: [[Cell]] = []
            for column in plan {
                let n = column.elements
                let values: [Cell]
                switch column.kind {
                case .signed: values = try file.readInt64(column: column.number, rows: range, repeatCount: n).map(Cell.int64)
                case .unsigned: values = try file.readUInt64(column: column.number, rows: range, repeatCount: n).map(Cell.uint64)
                case .float32: values = try file.readFloats(column: column.number, rows: range, repeatCount: n).map(Cell.float32)
                case .float64: values = try file.readDoubles(column: column.number, rows: range, repeatCount: n).map(Cell.float64)
                default: values = try file.readStrings(column: column.number, rows: range).map(Cell.text)
                }
                // Split a vector column into one column per element.
                for element in 0..<n { byColumn.append(stride(from: element, to: values.count, by: n).map { values[$0] }) }
            }
            rowsRead = range.upperBound
            return (0..<range.count).map { r in byColumn.map { $0[r] } }
        }
    }

    /// Splits one CSV record into fields: commas, "quoted, fields" (which may hold newlines) and
    /// "" for a quote inside quotes. Spaces around an unquoted value are dropped; a quoted
    /// value is kept exactly.
    public static func fields(_ line: String, file: String, line number: Int) throws -> [String] {
        var fields: [String] = [], field = "", quoted = false, wasQuoted = false, afterQuote = false
        func finish() {
            fields.append(wasQuoted ? field : field.trimmingCharacters(in: .whitespaces))
            field = ""; wasQuoted = false; afterQuote = false
        }
        for c in line {
            if quoted {
                if c == "\"" { quoted = false; afterQuote = true } else { field.append(c) }
            } else if c == "\"" {
                if afterQuote { field.append("\"") } else if !wasQuoted { field = "" }  // spaces before the opening quote
                quoted = true; wasQuoted = true; afterQuote = false
            } else if c == "," {
                finish()
            } else if wasQuoted {
                // Spaces after a closing quote are layout; other text joins the value (a lenient dialect).
                if c != " " && c != "\t" { field.append(c) }
                afterQuote = false
            } else { field.append(c) }
        }
        guard !quoted else { throw CatalogueError(file: file, reason: "line \(number): a quoted field is not closed") }
        finish()
        return fields
    }

    /// Whether a record continues on the next line: an odd number of quotes leaves a quoted field open.
    static func continues(_ text: String) -> Bool { text.utf8.reduce(0) { $1 == 0x22 ? $0 + 1 : $0 } % 2 == 1 }

    /// Quotes a value for CSV when it needs it (commas, quotes, line breaks, spaces at its ends).
    public static func quoted(_ value: String) -> String {
        let needs = value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            || value.first?.isWhitespace == true || value.last?.isWhitespace == true
        return needs ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }
}

/// Lines of a text file read through a fixed buffer (the file is never held whole).
public final class LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = [], start = 0, atEnd = false
    public private(set) var lineNumber = 0
    public let path: String

    public init(_ path: String) throws {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CatalogueError(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "file not found")
        }
        self.handle = handle
    }

    deinit { try? handle.close() }

    /// The next line without its newline (a trailing \r removed), nil at the end.
    public func next() throws -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                lineNumber += 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                lineNumber += 1
                return String(decoding: buffer[start...], as: UTF8.self)
            }
            // Drop what was consumed, then read the next block.
            buffer.removeSubrange(0..<start)
            start = 0
            let more = try handle.read(upToCount: 1 << 20) ?? Data()
            if more.isEmpty { atEnd = true } else { buffer.append(contentsOf: more) }
        }
    }
}
