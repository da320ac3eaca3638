import Foundation
import GalaxyZoo

/// Every blend of several models' validation predictions, scored: each model alone, the uniform
/// blend, the weighted blend (softmax weights per model), the per-answer blend and the pruned
/// uniform blend of the models whose weight is not about zero, which is the one to submit
/// (validation-fitted weights overfit validation, so they only prune).
public struct BlendReport: Sendable {
    public var models: [String]
    public var modelRMSE: [Double]
    public var weights: [Float]
    public var uniformRMSE: Double, weightedRMSE: Double, perAnswerRMSE: Double, prunedRMSE: Double
    /// Indices of the models the pruned blend keeps.
    public var kept: [Int]

    /// Fits and scores the blends of `validation` (one n × answers prediction per model) against `truth`.
    public init(models: [String], validation: [[Float]], truth: [Float], tree: DecisionTree) {
        func rmse(_ p: [Float]) -> Double { Evaluation(predictions: p, truth: truth, tree: tree).rmse }
        self.models = models
        modelRMSE = validation.map(rmse)
        let fitted = Blend.fitWeights(validation, truth: truth, columns: tree.outputCount)
        let perAnswer = Blend.fitWeights(validation, truth: truth, columns: tree.outputCount, perAnswer: true)
        weights = fitted.map { $0[0] }
        kept = Blend.kept(fitted)
        uniformRMSE = rmse(Blend.uniform(validation))
        weightedRMSE = rmse(Blend.weighted(validation, weights: fitted))
        perAnswerRMSE = rmse(Blend.weighted(validation, weights: perAnswer))
        prunedRMSE = rmse(Blend.uniform(kept.map { validation[$0] }))
    }

    /// The submission: the uniform blend of the kept models' test predictions (same rows each).
    public func submission(_ test: [[Float]]) -> [Float] { Blend.uniform(kept.map { test[$0] }) }

    /// The blends as a Markdown table.
    public var markdown: String {
        """
        | blend | RMSE |
        |---|---|
        \(String(format: "| uniform | %.5f |", uniformRMSE))
        \(String(format: "| weighted (softmax weights %@) | %.5f |", weights.map { String(format: "%.2f", $0) }.joined(separator: ", "), weightedRMSE))
        \(String(format: "| per-answer weighted | %.5f |", perAnswerRMSE))
        \(String(format: "| pruned uniform (the submission; keeps %@) | %.5f |", kept.map { models[$0] }.joined(separator: ", "), prunedRMSE))
        """
    }

    /// The report as aligned text lines, one model or blend per line.
    public var text: String {
        var lines = zip(models, modelRMSE).map { String(format: "model %@: validation RMSE %.5f", $0, $1) }
        lines.append(String(format: "uniform blend:        %.5f", uniformRMSE))
        lines.append(String(format: "weighted blend:       %.5f  weights %@", weightedRMSE, weights.map { String(format: "%.3f", $0) }.joined(separator: " ")))
        lines.append(String(format: "per-answer blend:     %.5f", perAnswerRMSE))
        lines.append(String(format: "pruned uniform blend: %.5f  (keeps %@)", prunedRMSE, kept.map { models[$0] }.joined(separator: ", ")))
        lines.append("validation-fitted weights overfit validation: they only prune; the pruned uniform blend is the output")
        return lines.joined(separator: "\n")
    }
}
