import Foundation
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyZoo

/// Blends of several models' predictions (original-solution-spec.md §8): the uniform mean, a weighted blend with
/// softmax weights over models fitted on validation, and a per-answer variant with one softmax per
/// column. Weights chosen on validation overfit it, so they are used to prune models whose weight
/// is about zero; the uniform blend of the rest is the default output.
public enum Blend {
    /// The mean of the models' predictions.
    public static func uniform(_ predictions: [[Float]]) -> [Float] {
        require(!predictions.isEmpty && Set(predictions.map(\.count)).count == 1, "Blend.uniform: predictions must be non-empty and equally long")
        var mean = [Float](repeating: 0, count: predictions[0].count)
        for p in predictions { for i in p.indices { mean[i] += p[i] } }
        return mean.map { $0 / Float(predictions.count) }
    }

    /// Weights s = softmax(W) (per model, or per model and column when `perAnswer`) minimising the
    /// validation MSE of Σ s_m X_m; the objective is tensor code, differentiated by autodiff and
    /// minimised by gradient descent with momentum from a small random W.
    public static func fitWeights(_ predictions: [[Float]], truth: [Float], columns: Int, perAnswer: Bool = false,
                                  iterations: Int = 1500, seed: UInt64 = 1) -> [[Float]] {
        let models = predictions.count
        let rows = truth.count / columns
        require(predictions.allSatisfy { $0.count == truth.count }, "Blend.fitWeights: every prediction must match the truth's \(truth.count) values")
        let x = Variable(Tensor(shape: [models, rows, columns], scalars: predictions.flatMap { $0 }))
        let y = Variable(Tensor(shape: [rows, columns], scalars: truth))
        var g = SeededGenerator(seed: seed)
        var w = Variable(parameter: Tensor.randomNormal(shape: [models, perAnswer ? columns : 1], standardDeviation: 0.01, generator: &g))
        var velocity = Tensor(zeros: w.shape)
        for _ in 0..<iterations {
            let weights = softmaxOverModels(w)                       // [models, 1 or columns]
            let blended = (x * weights.reshaped([models, 1, weights.shape[1]])).sum(axes: [0])
            let loss = meanSquaredError(blended, y)
            let gradient = gradients(of: loss, wrt: [w])[0]
            var value = w.value
            value.backend.run(SGDUpdate(learningRate: 20, momentum: 0.9, nesterov: true), updating: &value, &velocity, reading: gradient)
            w = Variable(parameter: value)
        }
        let s = softmaxOverModels(w).value.scalars
        let width = perAnswer ? columns : 1
        return (0..<models).map { m in Array(s[(m * width)..<((m + 1) * width)]) }
    }

    /// Softmax along the model axis (axis 0), written as tensor ops.
    static func softmaxOverModels(_ w: Variable) -> Variable {
        let e = w.exp()
        return e / e.sum(axes: [0], keepingDimensions: true)
    }

    /// Σ_m s_m X_m with per-model (width 1) or per-column weights.
    public static func weighted(_ predictions: [[Float]], weights: [[Float]]) -> [Float] {
        var out = [Float](repeating: 0, count: predictions[0].count)
        for (p, s) in zip(predictions, weights) {
            for i in p.indices { out[i] += p[i] * (s.count == 1 ? s[0] : s[i % s.count]) }
        }
        return out
    }

    /// Models whose fitted weight exceeds `threshold` (the ones worth keeping in the uniform blend).
    public static func kept(_ weights: [[Float]], threshold: Float = 0.02) -> [Int] {
        let kept = weights.indices.filter { (weights[$0].max() ?? 0) > threshold }
        return kept.isEmpty ? Array(weights.indices) : kept
    }
}
