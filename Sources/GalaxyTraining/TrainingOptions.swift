import Foundation
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyImaging
import GalaxyZoo
import GalaxyNetwork

/// Everything about a run besides the model: stored as `run.json` in the run directory.
public struct TrainingOptions: Codable, Sendable, Equatable {
    public var steps: Int
    public var batchSize = 16
    public var seed: UInt64 = 1
    /// 0.04 → 0.004 → 0.0004 at 72% and 92% of the run (the original's 1800/2300 of 2500 chunks).
    public var learningRates: [Float] = [0.04, 0.004, 0.0004]
    public var boundaries: [Double] = [0.72, 0.92]
    public var momentum: Float = 0.9
    /// Updates in warm-up mode (clip(z, 0, 1) outputs, their own momentum buffers).
    public var warmUpSteps: Int
    public var maxNormEvery = 10
    public var validateEvery: Int
    public var logEvery = 10
    public var checkpointMinutes = 10.0
    public var workers = 2
    public var mode: ResamplingMode = .faithful
    /// Weight of `DecisionTreeOutput.deadAnswerPenalty` added to the MSE (nil or 0: the original's
    /// objective, plain MSE). Optional so that run.json files written before it still load.
    public var deadAnswerPenalty: Float?
    /// A linear ramp of the learning rate over the first `steps` updates, from `startFactor` × the
    /// schedule to the schedule (Goyal et al. 2017's gradual warm-up for large batches); nil: none.
    public var learningRateRamp: LearningRateRamp?

    public struct LearningRateRamp: Codable, Sendable, Equatable {
        public var steps: Int, startFactor: Float
        public init(steps: Int, startFactor: Float) { self.steps = steps; self.startFactor = startFactor }
    }

    /// The original's batch of 16.
    public static let originalBatch = 16

    /// The linear scaling rule for a global batch of `batch`: every scheduled learning rate times
    /// batch/16, reached by a linear ramp from the original rates over `rampSteps` updates.
    public mutating func scaleLearningRates(forBatch batch: Int, rampSteps: Int) {
        let k = Float(batch) / Float(Self.originalBatch)
        batchSize = batch
        learningRates = learningRates.map { $0 * k }
        learningRateRamp = k > 1 && rampSteps > 0 ? LearningRateRamp(steps: rampSteps, startFactor: 1 / k) : nil
    }

    /// The original's 625 warm-up updates, or a fifth of a shorter run.
    public init(steps: Int, seed: UInt64 = 1) {
        self.steps = steps
        self.seed = seed
        warmUpSteps = min(625, steps / 5)
        validateEvery = max(10, steps / 20)
    }

    /// The training objective of a forward pass against `labels` [N, 37]: the MSE of the answers,
    /// plus the weighted dead-answer penalty on the raw scores when configured. Returns the
    /// objective to differentiate and the MSE to report.
    public func objective(_ forward: GalaxyModel.Forward, labels: Tensor) -> (objective: Variable, meanSquaredError: Variable) {
        let mse = meanSquaredError(forward.answers, Variable(labels))
        guard let weight = deadAnswerPenalty, weight > 0 else { return (mse, mse) }
        return (mse + DecisionTreeOutput.deadAnswerPenalty(scores: forward.scores, targets: labels) * weight, mse)
    }

    public func learningRate(at step: Int) -> Float {
        let fraction = Double(step) / Double(max(steps, 1))
        let scheduled = boundaries.indices.first { fraction < boundaries[$0] }.map { learningRates[$0] } ?? learningRates.last!
        guard let ramp = learningRateRamp, step < ramp.steps else { return scheduled }
        return scheduled * (ramp.startFactor + (1 - ramp.startFactor) * Float(step) / Float(ramp.steps))
    }
}
