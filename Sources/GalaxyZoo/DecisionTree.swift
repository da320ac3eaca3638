import Foundation
import GalaxyCore

/// A Galaxy Zoo decision tree: questions, their answers, and where each answer sends the
/// volunteer. Data, not code: the built-in trees (`gz2`, the Kaggle tree and the default;
/// `gz-decals-dr5`; `gz-desi`) are JSON in the schema `docs/decision-tree.schema.json`, and a run
/// may bring its own. The one definition every other part reads: the output constraint layer,
/// the label checks, the vote-count loss, the mock crowd, metrics, tables and reports.
public struct DecisionTree: Sendable, Hashable {
    /// Where an answer sends the volunteer.
    public enum Next: Sendable, Hashable {
        case question(Int)
        case end
    }

    /// How answers become table columns: the Kaggle challenge's "Class1.1", or the published
    /// catalogues' "{question}_{answer}" (GZ DECaLS, GZ DESI).
    public enum ColumnStyle: String, Sendable, Hashable, Codable {
        case kaggle, catalogue
    }

    /// One answer (e.g. "smooth-or-featured_smooth", or 1.2 "features or disk" in the Kaggle tree).
    public struct Answer: Sendable, Hashable {
        /// 1-based question and answer numbers.
        public let question: Int, number: Int
        /// The answer's key within its question ("featured-or-disk").
        public let key: String
        public let text: String
        public let next: Next
        /// Column in the answer vector (0-based).
        public let column: Int
        /// The short name people read: "1.2" in the Kaggle tree, "smooth-or-featured_featured-or-disk" otherwise.
        public let name: String
        /// The column of its value (a fraction) in tables: "Class1.2", or "…_featured-or-disk_fraction".
        public let columnName: String
        /// The column of its vote count in a catalogue of counts: "smooth-or-featured_featured-or-disk".
        public let countColumnName: String
    }

    /// One question with its answers and the answer its votes depend on.
    public struct Question: Sendable, Hashable {
        public let number: Int
        /// The question's key ("smooth-or-featured").
        public let key: String
        public let text: String
        public let answers: [Answer]
        /// Columns of its answers in the answer vector.
        public let columns: Range<Int>
        /// The answer whose value the question's answers sum to (and whose count bounds its
        /// volunteers); nil means every volunteer may be asked it and its answers sum to 1.
        public let parent: Answer?
        /// The column of its number of volunteers in a catalogue of counts ("…_total-votes").
        public let totalColumnName: String
    }

    /// The tree's name ("gz2", "gz-decals-dr5", …).
    public let name: String
    public let summary: String
    public let columnStyle: ColumnStyle
    public let questions: [Question]
    /// All answers in column order.
    public let answers: [Answer]
    /// Questions in the order their answers must be scaled by their parents: every parent is
    /// scaled before it is used (for gz2: 2, 3, 4, 5, 7, 8, 9, 10, 11 — original-solution-spec.md §4.5).
    public let scalingOrder: [Int]
    /// Every question in an order where each comes after every question that leads to it.
    public let walkOrder: [Int]
    /// The definition it was built from (what a run records).
    public let definition: Definition

    /// Number of answers (37 for gz2).
    public var outputCount: Int { answers.count }

    /// The value columns of every answer, in order.
    public var columnNames: [String] { answers.map(\.columnName) }

    /// The answer "q.a" (1-based).
    public func answer(_ question: Int, _ number: Int) -> Answer { questions[question - 1].answers[number - 1] }

    /// The question called `key`, if any.
    public func question(named key: String) -> Question? { questions.first { $0.key == key } }

    /// The mass question `q`'s answers must sum to, given a vector of answer values.
    public func requiredMass(of question: Question, in values: some RandomAccessCollection<Float>) -> Float {
        guard let parent = question.parent else { return 1 }
        return values[values.index(values.startIndex, offsetBy: parent.column)]
    }

    /// Builds and checks a tree from its definition; every problem names the question.
    public init(_ definition: Definition) throws {
        try definition.check()
        self.definition = definition
        name = definition.name
        summary = definition.summary
        columnStyle = definition.columns
        let numbers = Dictionary(uniqueKeysWithValues: definition.questions.enumerated().map { ($1.name, $0 + 1) })
        var column = 0, built: [Question] = []
        for (index, q) in definition.questions.enumerated() {
            let start = column
            let answers = q.answers.enumerated().map { i, a in
                defer { column += 1 }
                let kaggle = definition.columns == .kaggle
                return Answer(question: index + 1, number: i + 1, key: a.name, text: a.text,
                              next: a.next.map { .question(numbers[$0]!) } ?? .end, column: column,
                              name: kaggle ? "\(index + 1).\(i + 1)" : "\(q.name)_\(a.name)",
                              columnName: kaggle ? "Class\(index + 1).\(i + 1)" : "\(q.name)_\(a.name)_fraction",
                              countColumnName: "\(q.name)_\(a.name)")
            }
            built.append(Question(number: index + 1, key: q.name, text: q.text, answers: answers, columns: start..<column,
                                  parent: nil, totalColumnName: "\(q.name)_total-votes"))
        }
        let byName = Dictionary(uniqueKeysWithValues: built.flatMap(\.answers).map { ("\(built[$0.question - 1].key)_\($0.key)", $0) })
        questions = zip(built, definition.questions).map { q, d in
            Question(number: q.number, key: q.key, text: q.text, answers: q.answers, columns: q.columns,
                     parent: d.dependsOn.map { byName[$0]! }, totalColumnName: q.totalColumnName)
        }
        answers = questions.flatMap(\.answers)
        walkOrder = Self.topologicalOrder(questions)
        scalingOrder = Self.parentsFirst(questions)
    }

    /// Question numbers, each after every question with an answer leading to it (depth-first).
    static func topologicalOrder(_ questions: [Question]) -> [Int] {
        var order: [Int] = [], done = Set<Int>()
        func visit(_ n: Int) {
            guard !done.contains(n) else { return }
            done.insert(n)
            for q in questions where q.answers.contains(where: { $0.next == .question(n) }) { visit(q.number) }
            order.append(n)
        }
        for q in questions { visit(q.number) }
        return order
    }

    /// Questions with a parent, in number order except that a parent's question always comes first.
    static func parentsFirst(_ questions: [Question]) -> [Int] {
        var order: [Int] = [], done = Set<Int>()
        func visit(_ q: Question) {
            guard let parent = q.parent, !done.contains(q.number) else { return }
            visit(questions[parent.question - 1])
            done.insert(q.number)
            order.append(q.number)
        }
        questions.forEach(visit)
        return order
    }
}

extension DecisionTree: Codable {
    public init(from decoder: Decoder) throws { try self.init(Definition(from: decoder)) }
    public func encode(to encoder: Encoder) throws { try definition.encode(to: encoder) }
}

extension DecisionTree {
    /// Within-question fractions (what the published catalogues' `…_fraction` columns hold) from
    /// Kaggle-sense values (each answer's share of all volunteers, what the network outputs):
    /// each answer over the mass its question sums to; 0 where that mass is 0.
    public func withinQuestion(_ values: some RandomAccessCollection<Float>) -> [Float] {
        let v = Array(values)
        require(v.count == outputCount, "DecisionTree.withinQuestion: \(v.count) values for \(outputCount) answers")
        var out = v
        for q in questions {
            let mass = requiredMass(of: q, in: v)
            for c in q.columns { out[c] = mass > 0 ? v[c] / mass : 0 }
        }
        return out
    }

    /// The inverse of `withinQuestion`: each question's fractions times the value of the answer it
    /// depends on, parents first.
    public func kaggleSense(fromWithinQuestion fractions: some RandomAccessCollection<Float>) -> [Float] {
        var out = Array(fractions)
        require(out.count == outputCount, "DecisionTree.kaggleSense: \(out.count) values for \(outputCount) answers")
        for number in scalingOrder {
            let q = questions[number - 1], mass = out[q.parent!.column]
            for c in q.columns { out[c] *= mass }
        }
        return out
    }
}
