import GalaxyCore

/// RMSE over a tree's answers (over gz2's 37, the Kaggle score), per question and per answer.
public struct Evaluation: Sendable, Codable, Equatable {
    public var rmse: Double
    /// Indexed by question number − 1.
    public var perQuestion: [Double]
    /// Indexed by column.
    public var perAnswer: [Double]

    /// Compares predictions with truth (both n × answers, row-major).
    public init(predictions: [Float], truth: [Float], tree: DecisionTree) {
        let width = tree.outputCount
        require(predictions.count == truth.count && truth.count % width == 0,
                "Evaluation: \(predictions.count) predictions for \(truth.count) true values")
        let n = truth.count / width
        var squared = [Double](repeating: 0, count: width)
        for i in 0..<truth.count {
            let d = Double(predictions[i]) - Double(truth[i])
            squared[i % width] += d * d
        }
        let rows = Double(max(n, 1))
        perAnswer = squared.map { ($0 / rows).squareRoot() }
        perQuestion = tree.questions.map { q in
            (q.columns.map { squared[$0] }.reduce(0, +) / (rows * Double(q.columns.count))).squareRoot()
        }
        rmse = (squared.reduce(0, +) / (rows * Double(width))).squareRoot()
    }
}

/// The trivial predictors every report compares against, computed from training labels.
public struct Baselines: Sendable, Codable {
    /// The mean of each column over the training labels.
    public var trainingMean: [Float]

    public init(training: GalaxyTable) {
        var mean = [Double](repeating: 0, count: training.width)
        for (i, v) in training.values.enumerated() { mean[i % training.width] += Double(v) }
        trainingMean = mean.map { Float($0 / Double(max(training.count, 1))) }
    }

    /// RMSE of predicting all zeros and of predicting the training mean, on `truth`.
    public func evaluate(on truth: GalaxyTable, tree: DecisionTree) -> (zeros: Evaluation, trainingMean: Evaluation) {
        let zeros = [Float](repeating: 0, count: truth.values.count)
        let mean = (0..<truth.count).flatMap { _ in trainingMean }
        return (Evaluation(predictions: zeros, truth: truth.values, tree: tree), Evaluation(predictions: mean, truth: truth.values, tree: tree))
    }
}
