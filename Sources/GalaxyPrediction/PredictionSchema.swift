import GalaxyZoo

/// The columns a prediction fills in every table GalaxyNet writes, described once: each answer
/// of the model's head (float32), each answer's spread over the test-time views, their RMS
/// (`tta_spread`), and the likeliest walk down the decision tree (text). CSV, FITS and .npy
/// writers all render these typed cells; the numbers of a row are also one float32 block, which
/// is how bulk parts store them.
public enum PredictionSchema {
    public static var answerNames: [String] { DecisionTree.columnNames }

    public static var columns: [TableColumn] {
        (answerNames + answerNames.map { $0 + "_spread" } + ["tta_spread"]).map { TableColumn($0, .float32) } + [TableColumn("likeliest_path", .text)]
    }

    /// Floats per row in the numeric block: answers, spreads, tta_spread.
    public static var numberCount: Int { 2 * answerNames.count + 1 }

    /// The numeric block of one prediction.
    public static func numbers(_ p: Prediction) -> [Float] {
        let rms = (p.spread.map { $0 * $0 }.reduce(0, +) / Float(p.spread.count)).squareRoot()
        return p.answers + p.spread + [rms]
    }

    /// The typed cells of one row from its numeric block.
    public static func cells(numbers: ArraySlice<Float>) -> [Cell] {
        precondition(numbers.count == numberCount, "PredictionSchema: \(numbers.count) numbers, expected \(numberCount)")
        let answers = Array(numbers.prefix(answerNames.count))
        return numbers.map(Cell.float32) + [.text(DecisionTree.describePath(answers))]
    }
}
