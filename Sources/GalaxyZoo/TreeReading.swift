import Foundation
import GalaxyCore

/// Readable summaries of an answer vector (predicted or voted), for people.
extension DecisionTree {
    /// The most likely walk down the tree: at each question its largest answer, following where
    /// that answer leads. An answer that ends the walk before a question asked of every galaxy
    /// (gz2's Q6, whose answers sum to 1) continues there, as the Kaggle tree does after "star or artifact".
    public func likeliestPath(_ values: [Float]) -> [(answer: Answer, value: Float)] {
        require(values.count == outputCount, "DecisionTree.likeliestPath: \(values.count) values, expected \(outputCount)")
        var path: [(answer: Answer, value: Float)] = [], visited = Set<Int>(), question: Int? = 1
        while let q = question {
            visited.insert(q)
            let answer = questions[q - 1].answers.max { values[$0.column] < values[$1.column] }!
            path.append((answer, values[answer.column]))
            switch answer.next {
            case .question(let next): question = next
            case .end: question = questions.first { $0.parent == nil && !visited.contains($0.number) }?.number
            }
        }
        return path
    }

    /// The walk as one line: "smooth 0.81 → in between 0.52 → no 0.90".
    public func describePath(_ values: [Float]) -> String {
        likeliestPath(values).map { "\($0.answer.text) " + Self.formatted($0.value) }.joined(separator: " → ")
    }

    /// Three short caption lines for a thumbnail. For gz2: the first answer, the main branch
    /// below it, and whether anything is odd; for other trees the likeliest path, wrapped.
    public func caption(_ values: [Float]) -> [String] {
        require(values.count == outputCount, "DecisionTree.caption: \(values.count) values, expected \(outputCount)")
        guard self == .gz2 else {
            let steps = likeliestPath(values).map { "\($0.answer.text) " + Self.formatted($0.value) }
            return [steps[0], steps.dropFirst().prefix(2).joined(separator: ", "), steps.dropFirst(3).joined(separator: ", ")]
        }
        func best(_ q: Int) -> Answer { questions[q - 1].answers.max { values[$0.column] < values[$1.column] }! }
        func text(_ q: Int) -> String { let a = best(q); return "\(a.text) " + Self.formatted(values[a.column]) }
        func value(_ q: Int, _ a: Int) -> Float { values[answer(q, a).column] }
        var lines = [text(1)]
        switch best(1).number {
        case 1: lines.append(text(7))
        case 2:
            lines.append(best(2).number == 1 ? "edge-on, bulge " + text(9)
                         : (value(4, 1) > value(4, 2) ? "spiral, arms: " + text(11) : "no spiral, bulge " + text(5)))
        default: lines.append("")
        }
        lines.append(value(6, 1) > 0.5 ? "odd: " + text(8) : "nothing odd " + Self.formatted(value(6, 2)))
        return lines
    }

    /// Two decimals, as the captions show vote fractions.
    static func formatted(_ v: Float) -> String { String(format: "%.2f", v) }
}
