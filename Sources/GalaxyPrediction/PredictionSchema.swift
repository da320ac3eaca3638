import GalaxyZoo

/// The columns a prediction fills in every table GalaxyNet writes, described once for the
/// model's tree: each answer (float32), each answer's spread over the test-time views, their RMS
/// (`tta_spread`), and the likeliest walk down the decision tree (text). CSV, FITS and .npy
/// writers all render these typed cells; the numbers of a row are also one float32 block, which
/// is how bulk parts store them.
public struct PredictionSchema: Sendable {
    public let tree: DecisionTree
    public init(tree: DecisionTree) { self.tree = tree }

    public var answerNames: [String] { tree.columnNames }

    public var columns: [TableColumn] {
        (answerNames + answerNames.map { $0 + "_spread" } + ["tta_spread"]).map { TableColumn($0, .float32) } + [TableColumn("likeliest_path", .text)]
    }

    /// Floats per row in the numeric block: answers, spreads, tta_spread.
    public var numberCount: Int { 2 * tree.outputCount + 1 }

    /// The numeric block of one prediction.
    public func numbers(_ p: Prediction) -> [Float] {
        let rms = (p.spread.map { $0 * $0 }.reduce(0, +) / Float(p.spread.count)).squareRoot()
        return p.answers + p.spread + [rms]
    }

    /// The typed cells of one row from its numeric block. A catalogue-style tree's answers are
    /// written as the catalogues hold them, within their question; each spread is scaled by the
    /// same mass (to first order the spread of the within-question fraction).
    public func cells(numbers: ArraySlice<Float>) -> [Cell] {
        precondition(numbers.count == numberCount, "PredictionSchema: \(numbers.count) numbers, expected \(numberCount)")
        let n = tree.outputCount, answers = Array(numbers.prefix(n))
        var row = Array(numbers)
        if tree.columnStyle == .catalogue {
            for q in tree.questions {
                let mass = tree.requiredMass(of: q, in: answers)
                for c in q.columns { (row[c], row[n + c]) = mass > 0 ? (answers[c] / mass, row[n + c] / mass) : (0, 0) }
            }
        }
        return row.map(Cell.float32) + [.text(tree.describePath(answers))]
    }
}
