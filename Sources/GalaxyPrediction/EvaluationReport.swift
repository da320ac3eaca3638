import Foundation
import GalaxyZoo

/// Predictions scored against vote fractions: matched by GalaxyID, the RMSE in total, per
/// question and per answer, the baselines from training labels and, where the true
/// probabilities are known (a mock universe), the oracle floor.
public struct EvaluationReport {
    public let predictions: GalaxyTable
    public let truth: GalaxyTable
    public let evaluation: Evaluation
    public let tree: DecisionTree
    /// What was scored when the two files differ (see `Report.matched`).
    public let note: String?
    /// RMSE of predicting all zeros and the training mean, when training labels were given.
    public private(set) var baselines: (zeros: Double, mean: Double)?
    /// RMSE of the true probabilities against the crowd's votes.
    public private(set) var oracle: Double?

    /// Reads and matches the two files (`partial`: score the IDs they share even when some
    /// predictions have no truth row).
    public init(predictions file: String, truth truthFile: String, tree: DecisionTree, partial: Bool = false) throws {
        (predictions, truth, note) = try Report.matched(try KaggleCSV.read(file, tree: tree), try KaggleCSV.read(truthFile, tree: tree),
                                                          predictionsFile: file, truthFile: truthFile, partial: partial)
        evaluation = Evaluation(predictions: predictions.values, truth: truth.values, tree: tree)
        self.tree = tree
    }

    /// Adds the baselines, from the training labels not scored here (a truth row is never its own baseline).
    public mutating func addBaselines(training: GalaxyTable) {
        let own = Set(truth.ids)
        let (zeros, mean) = Baselines(training: training.subset(training.ids.indices.filter { !own.contains(training.ids[$0]) })).evaluate(on: truth, tree: tree)
        baselines = (zeros.rmse, mean.rmse)
    }

    /// Adds the oracle floor from the true probabilities by GalaxyID; an error names the first
    /// scored galaxy without one.
    public mutating func addOracle(probabilities: [Int: [Float]], file: String) throws {
        if let missing = truth.ids.first(where: { probabilities[$0] == nil }) {
            throw KaggleDataError(file: file, reason: "has no true probabilities for GalaxyID \(missing), which is scored")
        }
        oracle = Evaluation(predictions: truth.ids.flatMap { probabilities[$0]! }, truth: truth.values, tree: tree).rmse
    }

    public var text: String {
        "\(predictions.count) galaxies\n" + Report.text(evaluation, tree: tree, zeros: baselines?.zeros, mean: baselines?.mean, oracle: oracle)
    }
}
