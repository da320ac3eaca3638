import Foundation
import GalaxyCore

/// A problem with a Kaggle-format input, naming the file (and line) and what to fix.
public struct KaggleDataError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let line: Int?
    public let reason: String
    public init(file: String, line: Int? = nil, reason: String) { self.file = file; self.line = line; self.reason = reason }
    public var description: String { line.map { "\(file):\($0): \(reason)" } ?? "\(file): \(reason)" }
}

/// Galaxy IDs with their answer values (vote fractions or predictions; 37 per row for gz2), row-major.
public struct GalaxyTable: Sendable, Equatable {
    public var ids: [Int]
    /// ids.count × width values.
    public var values: [Float]
    /// The line each row came from (for messages); empty for tables built in memory.
    public var lines: [Int]
    /// Values per row: the tree's number of answers.
    public let width: Int

    public init(ids: [Int], values: [Float], lines: [Int] = [], width: Int = DecisionTree.gz2.outputCount) {
        require(values.count == ids.count * width, "GalaxyTable: \(values.count) values for \(ids.count) galaxies × \(width)")
        self.ids = ids
        self.values = values
        self.lines = lines
        self.width = width
    }

    public var count: Int { ids.count }
    public func row(_ i: Int) -> ArraySlice<Float> { values[(i * width)..<((i + 1) * width)] }

    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> GalaxyTable {
        var v: [Float] = []
        v.reserveCapacity(indices.count * width)
        for i in indices { v.append(contentsOf: row(i)) }
        return GalaxyTable(ids: indices.map { ids[$0] }, values: v, lines: lines.isEmpty ? [] : indices.map { lines[$0] }, width: width)
    }

    /// The same rows in ascending ID order.
    public func sortedByID() -> GalaxyTable { subset(ids.indices.sorted { ids[$0] < ids[$1] }) }
}

/// Reading and writing the Kaggle CSV files and NumPy arrays. Other trees use the same layout:
/// `GalaxyID`, then one column per answer named as the published catalogues name them
/// ("…_fraction") and holding what they hold, the share within the question; tables in memory
/// always hold Kaggle-sense values (each answer's share of all volunteers), converted here.
public enum KaggleCSV {
    /// The exact header of `training_solutions_rev1.csv` and of submissions (for `tree`).
    public static func header(_ tree: DecisionTree = .gz2) -> String { (["GalaxyID"] + tree.columnNames).joined(separator: ",") }

    /// Reads a solutions or submission CSV: the exact header, then `GalaxyID` and one number in
    /// [0, 1] per answer; IDs unique. Every violation stops with file:line and the reason.
    public static func read(_ path: String, tree: DecisionTree = .gz2) throws -> GalaxyTable {
        let header = header(tree), columns = tree.outputCount + 1
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KaggleDataError(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read file" : "file not found")
        }
        var bytes = [UInt8](data)
        bytes.append(0)  // strtof stops at the terminator after the last field
        var ids: [Int] = [], values: [Float] = [], lines: [Int] = []
        values.reserveCapacity(bytes.count / 8)
        var seen: [Int: Int] = [:]
        var lineNumber = 0, start = 0
        let end = bytes.count - 1
        try bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            while start < end {
                lineNumber += 1
                var stop = start
                while stop < end && base[stop] != 0x0A { stop += 1 }
                defer { start = stop + 1 }
                var lineEnd = stop
                if lineEnd > start && base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let text = { String(decoding: UnsafeBufferPointer(start: base + start, count: lineEnd - start), as: UTF8.self) }
                if lineNumber == 1 {
                    guard text() == header else { throw KaggleDataError(file: path, line: 1, reason: headerProblem(text(), tree: tree)) }
                    continue
                }
                if lineEnd == start { continue }
                // Split into fields.
                var fieldStarts: [Int] = [start]
                for i in start..<lineEnd where base[i] == 0x2C { fieldStarts.append(i + 1) }
                guard fieldStarts.count == columns else {
                    throw KaggleDataError(file: path, line: lineNumber, reason: "expected \(columns) comma-separated columns (GalaxyID and \(columns - 1) values), found \(fieldStarts.count)")
                }
                func fieldEnd(_ k: Int) -> Int { k + 1 < fieldStarts.count ? fieldStarts[k + 1] - 1 : lineEnd }
                func fieldText(_ k: Int) -> String { String(decoding: UnsafeBufferPointer(start: base + fieldStarts[k], count: fieldEnd(k) - fieldStarts[k]), as: UTF8.self) }
                guard let id = Int(fieldText(0)), id >= 0 else {
                    throw KaggleDataError(file: path, line: lineNumber, reason: "GalaxyID \"\(fieldText(0))\" is not a non-negative integer")
                }
                guard String(id) == fieldText(0) else {
                    throw KaggleDataError(file: path, line: lineNumber, reason: "GalaxyID \"\(fieldText(0))\" must be written without leading zeros or signs (\(id))")
                }
                if let previous = seen[id] {
                    throw KaggleDataError(file: path, line: lineNumber, reason: "duplicate GalaxyID \(id) (first on line \(previous))")
                }
                seen[id] = lineNumber
                for k in 1..<columns {
                    var after: UnsafeMutablePointer<CChar>? = nil
                    let p = UnsafeMutableRawPointer(mutating: base + fieldStarts[k]).assumingMemoryBound(to: CChar.self)
                    let v = strtof(p, &after)
                    let consumed = after.map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? -1
                    guard fieldEnd(k) > fieldStarts[k], consumed == fieldEnd(k) else {
                        throw KaggleDataError(file: path, line: lineNumber, reason: "\(tree.columnNames[k - 1]) is \"\(fieldText(k))\", not a number")
                    }
                    guard !v.isNaN else { throw KaggleDataError(file: path, line: lineNumber, reason: "\(tree.columnNames[k - 1]) is NaN") }
                    guard v >= 0 && v <= 1 else {
                        throw KaggleDataError(file: path, line: lineNumber, reason: "\(tree.columnNames[k - 1]) is \(fieldText(k)), outside [0, 1]")
                    }
                    values.append(v)
                }
                ids.append(id)
                lines.append(lineNumber)
            }
        }
        guard lineNumber >= 1 else { throw KaggleDataError(file: path, reason: "empty file (no header)") }
        if tree.columnStyle == .catalogue {
            let w = tree.outputCount
            values = (0..<ids.count).flatMap { tree.kaggleSense(fromWithinQuestion: values[($0 * w)..<(($0 + 1) * w)]) }
        }
        return GalaxyTable(ids: ids, values: values, lines: lines, width: tree.outputCount)
    }

    /// What is wrong with a header line that is not `header`, in words a user can act on.
    static func headerProblem(_ line: String, tree: DecisionTree) -> String {
        if line.hasPrefix("\u{FEFF}") {
            return "the file starts with a UTF-8 byte-order mark (invisible in most editors) before \"GalaxyID\"; save it as UTF-8 without BOM"
        }
        let found = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let expected = ["GalaxyID"] + tree.columnNames
        let missing = expected.filter { !found.contains($0) }, extra = found.filter { !expected.contains($0) }
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing column\(missing.count > 1 ? "s" : "") \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? "…" : "")") }
        if !extra.isEmpty { parts.append("unexpected column\(extra.count > 1 ? "s" : "") \(extra.prefix(5).map { "\"\($0)\"" }.joined(separator: ", "))") }
        if parts.isEmpty, let i = zip(found, expected).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            parts.append("column \(i + 1) is \(found[i]), expected \(expected[i]) (the columns must be in the \(tree.columnStyle == .kaggle ? "Kaggle" : "tree's") order)")
        }
        if parts.isEmpty { parts.append("\(found.count) columns, expected \(expected.count)") }
        return "header must be \"GalaxyID,\(expected[1]),…,\(expected.last!)\" (\(expected.count) columns, tree \(tree.name)): " + parts.joined(separator: "; ")
    }

    /// Writes a Kaggle submission: the header, rows in ascending GalaxyID, one value per answer.
    public static func write(_ table: GalaxyTable, tree: DecisionTree = .gz2, to path: String) throws {
        require(table.width == tree.outputCount, "KaggleCSV.write: rows of \(table.width) values for tree \(tree.name) (\(tree.outputCount) answers)")
        let sorted = table.sortedByID()
        var text = header(tree) + "\n"
        text.reserveCapacity(sorted.count * 300)
        for i in 0..<sorted.count {
            text += String(sorted.ids[i])
            for v in tree.columnStyle == .catalogue ? tree.withinQuestion(sorted.row(i)) : Array(sorted.row(i)) { text += "," + format(v) }
            text += "\n"
        }
        try FileOutput.write(text, to: path)
    }

    /// Six significant decimals, as the Kaggle files; exact zeros and ones stay short.
    public static func format(_ v: Float) -> String {
        if v == 0 { return "0" }
        if v == 1 { return "1" }
        return String(format: "%.6g", Double(v))
    }
}
