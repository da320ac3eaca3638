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
/// file with a header row (RFC 4180 quoting, a UTF-8 byte-order mark ignored) or the first binary
/// table of a FITS file (every column read as text in its display format).
public final class CatalogueReader {
    public let path: String
    public let columns: [String]
    /// Rows read so far.
    public private(set) var rowsRead = 0
    /// The row count of a FITS table (known without reading it); nil for CSV.
    public var tableRows: Int? { if case .fits(_, let rows) = source { rows } else { nil } }
    private var source: Source

    private enum Source {
        case csv(LineReader)
        case fits(FITSFile, rows: Int)
    }

    public init(_ path: String) throws {
        self.path = path
        if ["fits", "fit", "fts"].contains((path as NSString).pathExtension.lowercased()) {
            let file = try FITSFile.open(path)
            var hdu = 2
            while true {
                guard hdu <= (try file.hduCount) else { throw CatalogueError(file: path, reason: "no binary table in the file") }
                if try file.move(to: hdu) == .binaryTable { break }
                hdu += 1
            }
            columns = try file.columnNames()
            source = .fits(file, rows: try file.rowCount())
        } else {
            let lines = try LineReader(path)
            guard var header = try lines.next() else { throw CatalogueError(file: path, reason: "empty file: expected a header row") }
            if header.hasPrefix("\u{FEFF}") { header.removeFirst() }
            columns = try Self.fields(header, file: path, line: 1)
            source = .csv(lines)
        }
        guard Set(columns).count == columns.count else { throw CatalogueError(file: path, reason: "a column name appears twice: \(columns)") }
    }

    /// The index of column `name`, or an error listing the columns there are.
    public func column(_ name: String, role: String) throws -> Int {
        guard let i = columns.firstIndex(of: name) else {
            throw CatalogueError(file: path, reason: "no \(role) column \"\(name)\" (columns: \(columns.joined(separator: ", ")))")
        }
        return i
    }

    /// Up to `count` more rows (fewer at the end, none after it), each with one value per column.
    public func next(_ count: Int) throws -> [[String]] {
        switch source {
        case .csv(let lines):
            var rows: [[String]] = []
            while rows.count < count, let line = try lines.next() {
                if line.isEmpty { continue }
                let values = try Self.fields(line, file: path, line: lines.lineNumber)
                guard values.count == columns.count else {
                    throw CatalogueError(file: path, reason: "line \(lines.lineNumber): \(values.count) fields, the header has \(columns.count)")
                }
                rows.append(values)
            }
            rowsRead += rows.count
            return rows
        case .fits(let file, let total):
            let range = rowsRead..<min(rowsRead + count, total)
            let byColumn = try columns.indices.map { try file.readStrings(column: $0 + 1, rows: range) }
            rowsRead = range.upperBound
            return (0..<range.count).map { r in byColumn.map { $0[r] } }
        }
    }

    /// Splits one CSV line into fields: commas, "quoted, fields" and "" for a quote inside quotes.
    public static func fields(_ line: String, file: String, line number: Int) throws -> [String] {
        var fields: [String] = [], field = "", quoted = false, wasQuote = false
        for c in line {
            if quoted {
                if c == "\"" { quoted = false; wasQuote = true } else { field.append(c) }
            } else if c == "\"" {
                if wasQuote { field.append("\"") }
                quoted = true
            } else if c == "," {
                fields.append(field); field = ""; wasQuote = false
            } else { field.append(c); wasQuote = false }
        }
        guard !quoted else { throw CatalogueError(file: file, reason: "line \(number): a quoted field is not closed") }
        fields.append(field)
        return fields.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Quotes a value for CSV when it needs it.
    public static func quoted(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
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
