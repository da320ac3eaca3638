import Foundation
import GalaxyFITS
import GalaxyZoo

/// Puts a catalogue run's chunk files together into the output table — CSV, or a FITS binary
/// table (numeric columns as numbers, the rest as text) — and their failures into one errors
/// file, each written to a temporary name and renamed, streaming one chunk at a time.
public enum CatalogueOutput {
    public static let errorsHeader = "row,id,file,reason"

    public static func assemble(_ job: CatalogueJob, chunks: Int, columns: [String]) throws {
        try concatenate((0..<chunks).map(job.chunkErrors), header: errorsHeader, to: job.errorsFile)
        if (job.out as NSString).pathExtension.lowercased() == "fits" {
            try writeFITS((0..<chunks).map(job.chunkFile), columns: columns, to: job.out)
        } else {
            try concatenate((0..<chunks).map(job.chunkFile), header: columns.map(CatalogueReader.quoted).joined(separator: ","), to: job.out)
        }
    }

    /// The header line and then every file's lines, written atomically.
    static func concatenate(_ files: [String], header: String, to path: String) throws {
        let temporary = path + ".partial"
        FileManager.default.createFile(atPath: temporary, contents: Data((header + "\n").utf8))
        guard let handle = FileHandle(forWritingAtPath: temporary) else { throw CatalogueError(file: temporary, reason: "cannot write") }
        defer { try? handle.close() }
        try handle.seekToEnd()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw CatalogueError(file: file, reason: "a chunk file is missing") }
            try handle.write(contentsOf: data)
        }
        try handle.close()
        try replace(path, with: temporary)
    }

    /// Two streaming passes: the first finds which columns are numeric and how wide the text
    /// columns are, the second writes the rows.
    static func writeFITS(_ files: [String], columns: [String], to path: String) throws {
        // Integers (survey object IDs reach 10^18) stay exact as 64-bit integers.
        var numeric = [Bool](repeating: true, count: columns.count), integer = numeric, width = [Int](repeating: 1, count: columns.count)
        try forEachRow(files, columns: columns.count) { fields in
            for (c, v) in fields.enumerated() {
                if numeric[c] && Double(v) == nil { numeric[c] = false }
                if integer[c] && Int64(v) == nil { integer[c] = false }
                width[c] = max(width[c], v.utf8.count)
            }
        }
        let answers = Set(DecisionTree.columnNames + DecisionTree.columnNames.map { $0 + "_spread" } + ["tta_spread"])
        let formats = columns.indices.map { c in
            answers.contains(columns[c]) ? "E" : integer[c] ? "K" : numeric[c] ? "D" : "\(width[c])A"
        }
        let temporary = path + ".partial.fits"
        let file = try FITSFile.create(temporary)
        try file.createTable(name: "GALAXYNET", columns: zip(columns, formats).map { FITSFile.Column($0, $1) })
        var row = 0, block: [[String]] = []
        func flush() throws {
            for c in columns.indices {
                let values = block.map { $0[c] }
                switch formats[c] {
                case "E": try file.write(values.map { Float($0)! }, column: c + 1, firstRow: row)
                case "K": try file.write(values.map { Int64($0)! }, column: c + 1, firstRow: row)
                case "D": try file.write(values.map { Double($0)! }, column: c + 1, firstRow: row)
                default: try file.write(values, column: c + 1, firstRow: row)
                }
            }
            row += block.count
            block = []
        }
        try forEachRow(files, columns: columns.count) { fields in
            block.append(fields)
            if block.count == 4096 { try flush() }
        }
        try flush()
        try file.close()
        try replace(path, with: temporary)
    }

    static func forEachRow(_ files: [String], columns: Int, _ body: ([String]) throws -> Void) throws {
        for file in files {
            let lines = try LineReader(file)
            while let line = try lines.next() {
                if line.isEmpty { continue }
                let fields = try CatalogueReader.fields(line, file: file, line: lines.lineNumber)
                guard fields.count == columns else { throw CatalogueError(file: file, reason: "line \(lines.lineNumber): \(fields.count) fields, expected \(columns)") }
                try body(fields)
            }
        }
    }

    /// Renames `temporary` over `path` (atomic on one file system).
    static func replace(_ path: String, with temporary: String) throws {
        guard rename(temporary, path) == 0 else { throw CatalogueError(file: path, reason: "cannot replace it: \(String(cString: strerror(errno)))") }
    }
}
