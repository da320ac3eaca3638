/// The Galaxy Zoo 2 decision tree as used by the Kaggle challenge: 11 questions, 37 answers.
///
/// The one definition every other part reads: the output constraint layer, the label check,
/// the mock crowd, metrics and reports.
public enum DecisionTree {
    /// Where an answer sends the volunteer.
    public enum Next: Sendable, Hashable {
        case question(Int)
        case end
    }

    /// One answer (e.g. 1.2 "features or disk").
    public struct Answer: Sendable, Hashable {
        /// 1-based question and answer numbers ("Class\(question).\(number)").
        public let question: Int, number: Int
        public let text: String
        public let next: Next
        /// Column in the 37-vector (0-based).
        public let column: Int
        public var name: String { "\(question).\(number)" }
        public var columnName: String { "Class\(name)" }
    }

    /// One question with its answers and the probability mass its answers sum to.
    public struct Question: Sendable, Hashable {
        public let number: Int
        public let text: String
        public let answers: [Answer]
        /// Columns of its answers in the 37-vector.
        public let columns: Range<Int>
        /// The answer whose value the question's answers sum to; nil means they sum to 1.
        public let parent: Answer?
    }

    private static let definitions: [(String, [(String, Next)])] = [
        ("Is the galaxy simply smooth and rounded, with no sign of a disk?",
         [("smooth", .question(7)), ("features or disk", .question(2)), ("star or artifact", .end)]),
        ("Could this be a disk viewed edge-on?", [("yes", .question(9)), ("no", .question(3))]),
        ("Is there a sign of a bar feature through the centre of the galaxy?", [("yes", .question(4)), ("no", .question(4))]),
        ("Is there any sign of a spiral arm pattern?", [("yes", .question(10)), ("no", .question(5))]),
        ("How prominent is the central bulge, compared with the rest of the galaxy?",
         [("no bulge", .question(6)), ("just noticeable", .question(6)), ("obvious", .question(6)), ("dominant", .question(6))]),
        ("Is there anything odd?", [("yes", .question(8)), ("no", .end)]),
        ("How rounded is it?", [("completely round", .question(6)), ("in between", .question(6)), ("cigar-shaped", .question(6))]),
        ("Is the odd feature a ring, or is the galaxy disturbed or irregular?",
         [("ring", .end), ("lens or arc", .end), ("disturbed", .end), ("irregular", .end), ("other", .end), ("merger", .end), ("dust lane", .end)]),
        ("Does the galaxy have a bulge at its centre? If so, what shape?",
         [("rounded", .question(6)), ("boxy", .question(6)), ("no bulge", .question(6))]),
        ("How tightly wound do the spiral arms appear?", [("tight", .question(11)), ("medium", .question(11)), ("loose", .question(11))]),
        ("How many spiral arms are there?",
         [("1", .question(5)), ("2", .question(5)), ("3", .question(5)), ("4", .question(5)), ("more than four", .question(5)), ("can't tell", .question(5))]),
    ]

    /// The parent answer of each question ("q's answers sum to this answer's value").
    private static let parents: [Int: (Int, Int)] = [2: (1, 2), 3: (2, 2), 4: (2, 2), 5: (2, 2), 7: (1, 1), 8: (6, 1), 9: (2, 1), 10: (4, 1), 11: (4, 1)]

    /// The 11 questions in order.
    public static let questions: [Question] = {
        var column = 0
        var built: [Question] = []
        var answersByName: [String: Answer] = [:]
        for (index, (text, answers)) in definitions.enumerated() {
            let number = index + 1
            let start = column
            let list = answers.enumerated().map { i, a in
                defer { column += 1 }
                return Answer(question: number, number: i + 1, text: a.0, next: a.1, column: column)
            }
            for a in list { answersByName[a.name] = a }
            built.append(Question(number: number, text: text, answers: list, columns: start..<column, parent: nil))
        }
        return built.map { q in
            Question(number: q.number, text: q.text, answers: q.answers, columns: q.columns,
                     parent: parents[q.number].map { answersByName["\($0.0).\($0.1)"]! })
        }
    }()

    /// All 37 answers in column order.
    public static let answers: [Answer] = questions.flatMap(\.answers)

    /// Number of outputs (37).
    public static let outputCount = answers.count

    /// The Kaggle column names, "Class1.1" … "Class11.6".
    public static let columnNames: [String] = answers.map(\.columnName)

    /// The answer "q.a".
    public static func answer(_ question: Int, _ number: Int) -> Answer { questions[question - 1].answers[number - 1] }

    /// Questions in the order their answers must be scaled by their parents: every parent is
    /// scaled before it is used (Q2 before Q3–5 and Q9, Q4 before Q10–11) — original-solution-spec.md §4.5.
    public static let scalingOrder: [Int] = [2, 3, 4, 5, 7, 8, 9, 10, 11]

    /// The mass question `q`'s answers must sum to, given a 37-vector of answer values.
    public static func requiredMass(of question: Question, in values: some RandomAccessCollection<Float>) -> Float {
        guard let parent = question.parent else { return 1 }
        return values[values.index(values.startIndex, offsetBy: parent.column)]
    }
}
