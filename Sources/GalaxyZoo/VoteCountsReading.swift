import Foundation
import GalaxyCore

extension VoteCounts {
    /// Reads a counts file for `tree` (see `VoteCounts`); IDs unique, rows in file order.
    public static func read(_ path: String, tree: DecisionTree) throws -> VoteCounts {
        let reader = try LineReader(path)
        guard let headerLine = try reader.next() else { throw KaggleDataError(file: path, reason: "empty file (no header)") }
        let header = try CatalogueReader.fields(headerLine, file: path, line: 1)
        let position = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        guard let idColumn = position["GalaxyID"] else { throw KaggleDataError(file: path, line: 1, reason: "no GalaxyID column") }
        // Every count column of the tree, and nothing that looks like an answer the tree lacks.
        var answerColumns: [Int] = [], totalColumns: [Int] = []
        for q in tree.questions {
            guard let total = position[q.totalColumnName] else { throw KaggleDataError(file: path, line: 1, reason: "missing column \(q.totalColumnName) (tree \(tree.name))") }
            totalColumns.append(total)
            for a in q.answers {
                guard let c = position[a.countColumnName] else { throw KaggleDataError(file: path, line: 1, reason: "missing column \(a.countColumnName) (tree \(tree.name))") }
                answerColumns.append(c)
            }
        }
        let known = Set(tree.answers.map(\.countColumnName) + tree.questions.map(\.totalColumnName))
        for name in header where !known.contains(name) {
            guard let q = tree.questions.first(where: { name.hasPrefix($0.key + "_") }) else { continue }
            let answer = String(name.dropFirst(q.key.count + 1))
            if answer.hasSuffix("_fraction") || answer.hasSuffix("_debiased") { continue }
            throw KaggleDataError(file: path, line: 1, reason: "column \(name): \"\(answer)\" is not an answer of \(q.key) in tree \(tree.name) "
                                  + "(its answers: \(q.answers.map(\.key).joined(separator: ", ")))")
        }
        var ids: [Int] = [], counts: [Float] = [], lines: [Int] = [], seen: [Int: Int] = [:]
        while let line = try reader.next() {
            if line.isEmpty { continue }
            let n = reader.lineNumber
            let fields = try CatalogueReader.fields(line, file: path, line: n)
            guard fields.count == header.count else {
                throw KaggleDataError(file: path, line: n, reason: "\(fields.count) fields, the header has \(header.count)")
            }
            guard let id = Int(fields[idColumn]), id >= 0 else { throw KaggleDataError(file: path, line: n, reason: "GalaxyID \"\(fields[idColumn])\" is not a non-negative integer") }
            if let first = seen.updateValue(n, forKey: id) { throw KaggleDataError(file: path, line: n, reason: "duplicate GalaxyID \(id) (first on line \(first))") }
            func count(_ column: Int) throws -> Int {
                guard let v = Int(fields[column]) ?? Double(fields[column]).flatMap({ $0 == $0.rounded() && abs($0) < 1e9 ? Int($0) : nil }) else {
                    throw KaggleDataError(file: path, line: n, reason: "column \(header[column]) is \"\(fields[column])\", not a whole number of votes")
                }
                guard v >= 0 else { throw KaggleDataError(file: path, line: n, reason: "column \(header[column]) is \(v), a negative count") }
                return v
            }
            let row = try answerColumns.map(count)
            for (k, q) in tree.questions.enumerated() {
                let total = try count(totalColumns[k]), sum = q.columns.reduce(0) { $0 + row[$1] }
                guard total == sum else {
                    throw KaggleDataError(file: path, line: n, reason: "column \(q.totalColumnName) is \(total), but its answers sum to \(sum)")
                }
                if let parent = q.parent, total > row[parent.column] {
                    throw KaggleDataError(file: path, line: n, reason: "column \(q.totalColumnName) is \(total), more than the \(row[parent.column]) "
                                          + "votes for \(parent.countColumnName) that lead to it")
                }
            }
            ids.append(id); lines.append(n)
            counts += row.map(Float.init)
        }
        return VoteCounts(ids: ids, counts: counts, lines: lines, tree: tree)
    }
}
