import Foundation
import GalaxyCore

/// Volunteers' vote counts per answer, the labels of today's Galaxy Zoo catalogues (GZ DECaLS,
/// GZ DESI): any number of volunteers per galaxy, and questions nobody was asked (total 0).
///
/// The file is CSV with a `GalaxyID` column and, for every question of the tree, the published
/// columns `{question}_total-votes` and `{question}_{answer}` (counts); other columns (ra, dec,
/// `…_fraction`) may be present and are ignored. Every count is a non-negative integer, each
/// question's total is the sum of its answers, and a question's total never exceeds the count of
/// the answer it depends on; every violation names the file, line and column.
public struct VoteCounts: Sendable, Equatable {
    public static let file = "training_votes.csv"
    public var ids: [Int]
    /// ids.count × answers counts, row-major in the tree's column order.
    public var counts: [Float]
    public var lines: [Int]
    public let tree: DecisionTree

    public init(ids: [Int], counts: [Float], lines: [Int] = [], tree: DecisionTree) {
        require(counts.count == ids.count * tree.outputCount, "VoteCounts: \(counts.count) counts for \(ids.count) galaxies × \(tree.outputCount)")
        self.ids = ids; self.counts = counts; self.lines = lines; self.tree = tree
    }

    public var count: Int { ids.count }
    public func row(_ i: Int) -> ArraySlice<Float> { counts[(i * tree.outputCount)..<((i + 1) * tree.outputCount)] }

    /// Volunteers who answered question `q` in row `i`.
    public func total(_ i: Int, _ q: DecisionTree.Question) -> Float { q.columns.reduce(0) { $0 + counts[i * tree.outputCount + $1] } }

    /// The vote fractions in the Kaggle sense the constraint layer produces: within each question
    /// the share of its volunteers, times the fraction of the answer it depends on (1 at the top);
    /// a question nobody answered gives 0.
    public var fractions: GalaxyTable {
        let width = tree.outputCount
        var values = [Float](repeating: 0, count: counts.count)
        // Questions at the top first, then the rest in the scaling order, so a parent's value is final when read.
        let order = tree.questions.filter { $0.parent == nil }.map(\.number) + tree.scalingOrder
        for i in 0..<count {
            for number in order {
                let q = tree.questions[number - 1], n = total(i, q)
                guard n > 0 else { continue }
                let mass = q.parent.map { values[i * width + $0.column] } ?? 1
                for c in q.columns { values[i * width + c] = counts[i * width + c] / n * mass }
            }
        }
        return GalaxyTable(ids: ids, values: values, lines: lines, width: width)
    }

    /// The rows at `indices`, in that order.
    public func subset(_ indices: [Int]) -> VoteCounts {
        VoteCounts(ids: indices.map { ids[$0] }, counts: indices.flatMap { row($0) }, lines: lines.isEmpty ? [] : indices.map { lines[$0] }, tree: tree)
    }

    /// The header a counts file of `tree` has when GalaxyNet writes it.
    public static func header(_ tree: DecisionTree) -> [String] {
        ["GalaxyID"] + tree.questions.flatMap { [$0.totalColumnName] + $0.answers.map(\.countColumnName) }
    }

    /// Writes rows in ascending GalaxyID.
    public func write(to path: String) throws {
        let order = ids.indices.sorted { ids[$0] < ids[$1] }
        var text = Self.header(tree).joined(separator: ",") + "\n"
        for i in order {
            var fields = [String(ids[i])]
            for q in tree.questions { fields += [String(Int(total(i, q)))] + q.columns.map { String(Int(counts[i * tree.outputCount + $0])) } }
            text += fields.joined(separator: ",") + "\n"
        }
        try FileOutput.write(text, to: path)
    }
}
