import GalaxyCore

/// The label checker of the original solution: every row and question whose answers do not sum
/// to the mass the decision tree requires (within 1e-5).
public enum LabelCheck {
    public static let tolerance: Float = 1e-5

    public struct Violation: Sendable, Equatable {
        public var galaxyID: Int
        /// Line in the file, when the table came from one.
        public var line: Int?
        public var question: Int
        public var sum: Float
        public var required: Float
    }

    /// With `votes` (the counts `table` was made from, row for row) a question nobody was asked is not checked: it has no fractions.
    public static func violations(in table: GalaxyTable, tree: DecisionTree = .gz2, votes: VoteCounts? = nil) -> [Violation] {
        require(table.width == tree.outputCount, "LabelCheck: rows of \(table.width) values for tree \(tree.name)")
        var found: [Violation] = []
        for row in 0..<table.count {
            let values = table.row(row)
            for q in tree.questions where votes.map({ $0.total(row, q) > 0 }) ?? true {
                let sum = q.columns.reduce(Float(0)) { $0 + values[values.startIndex + $1] }
                let required = tree.requiredMass(of: q, in: values)
                if abs(sum - required) > tolerance {
                    found.append(Violation(galaxyID: table.ids[row], line: table.lines.isEmpty ? nil : table.lines[row],
                                           question: q.number, sum: sum, required: required))
                }
            }
        }
        return found
    }
}
