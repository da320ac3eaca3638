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
    /// A vote model's weight of the squared error of its expected fractions against the realised
    /// vote fractions, added to the likelihood (nil or 0: the likelihood alone). The likelihood
    /// lets a model answer an error by lowering its concentrations instead of moving its
    /// fractions; this term holds the fractions to the votes (docs/trees-and-votes.md measures it).
    public var fractionWeight: Float?
    /// The weight a new vote model takes unless told otherwise: at 1000 the squared error's pull
    /// on a fraction is of the order of the likelihood's for about 20 volunteers.
    public static let defaultFractionWeight: Float = 1000
    /// A linear ramp of the learning rate over the first `steps` updates, from `startFactor` × the
    /// schedule to the schedule (Goyal et al. 2017's gradual warm-up for large batches); nil: none.
    public var learningRateRamp: LearningRateRamp?

    // Beyond the original (all nil = off, so run.json files written before them still load and
    // the faithful recipe stays the default).
    /// The optimiser (nil: Nesterov SGD with `momentum`).
    public var optimizer: OptimizerChoice?
    /// AdamW's decoupled weight decay λ (nil: 0.01).
    public var weightDecay: Float?
    /// The shape of the learning-rate schedule (nil: the original's steps).
    public var schedule: ScheduleShape?
    /// Updates of the linear warm-up from 0 that starts a cosine, linear or trapezoid schedule.
    public var scheduleWarmUpSteps: Int?
    /// The share of the run over which a trapezoid schedule falls from its peak (nil: 0.2).
    public var scheduleDecayFraction: Double?
    /// `scheduleDecayFraction` with its default.
    public var trapezoidDecayFraction: Double { scheduleDecayFraction ?? 0.2 }
    /// Decay of the exponential moving average of the weights used for validation, prediction
    /// and checkpoints (nil: no average; the trained weights are used).
    public var averageDecay: Float?
    /// The dropout rate before each dense layer instead of the model configuration's (the
    /// trainer writes it into the run's model.json); nil: the configuration's.
    public var dropout: Float?
    /// How the output layer's biases start (nil: the configuration's constant, the original's).
    public var outputBias: OutputBias?
    /// The named recipe the options came from, for the record.
    public var recipe: String?
    /// What to do with training or validation images that cannot be read (nil: fail before
    /// the first update, listing them).
    public var onBadImage: ImageCheck.Policy?
    /// Learning-rate multipliers by layer (`Optimizer.layerScales`): finetuning freezes the
    /// trunk (0) or slows its lower layers (nil: every layer at the full rate).
    public var layerScales: [String: Float]?
    /// Draw each class (the likeliest answer of a one-question tree) equally often: the rows of
    /// rarer classes repeat in every pass (nil: every row once).
    public var balanceClasses: Bool?
    /// Stop when this many validations in a row bring no improvement of the best validation
    /// RMSE (nil: train every update).
    public var patience: Int?
    /// A finetune's trained model: its trunk starts the run (also when a run that stopped
    /// before its first checkpoint starts again), checked by its fingerprint (nil: a new network).
    public var trunk: Trunk?

    /// Where a finetune's starting weights come from.
    public struct Trunk: Codable, Sendable, Equatable {
        public var path: String, fingerprint: String
        public init(path: String, fingerprint: String) { (self.path, self.fingerprint) = (path, fingerprint) }
    }

    public enum OptimizerChoice: String, Codable, Sendable, CaseIterable { case nesterov, adamW }
    public enum OutputBias: String, Codable, Sendable, CaseIterable {
        /// Each answer's mean over the training labels (at least 0.001, so no answer starts dead):
        /// a new run starts at the training-mean prediction — exactly in the warm-up's clipped
        /// mode, through each question's ratio of means in the normalised one — instead of
        /// spending its first updates learning it.
        case labelMeans
    }
    public enum ScheduleShape: String, Codable, Sendable, CaseIterable {
        /// `learningRates` in turn, switching at `boundaries` (the original).
        case steps
        /// A linear warm-up to `learningRates[0]`, then half a cosine down to `learningRates.last`.
        case cosine
        /// A linear warm-up to `learningRates[0]`, then a straight line down to `learningRates.last`.
        case linear
        /// A linear warm-up to `learningRates[0]`, held there until the last `scheduleDecayFraction`
        /// of the run, then a straight line down to `learningRates.last` (warm-up–stable–decay):
        /// more updates at the peak than a cosine gives them.
        case trapezoid
    }

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

    /// The training objective of a forward pass against `labels` [N, answers]: the MSE of the answers,
    /// plus the weighted dead-answer penalty on the raw scores when configured. Returns the
    /// objective to differentiate and the MSE to report. A model of concentrations reads vote
    /// counts as its labels and reports its loss, the mean negative log-likelihood per galaxy (plus
    /// `fractionWeight` × the MSE of its expected fractions, not reported).
    public func objective(_ forward: GalaxyModel.Forward, labels: Tensor, tree: DecisionTree) -> (objective: Variable, meanSquaredError: Variable) {
        if let alpha = forward.concentrations {
            let loss = alpha.dirichletMultinomialLoss(counts: labels, questions: tree.questions.map(\.columns)).mean()
            guard let weight = fractionWeight, weight > 0 else { return (loss, loss) }
            let fractions = VoteCounts(ids: Array(0..<labels.shape[0]), counts: labels.scalars, tree: tree).fractions.values
            let target = Variable(Tensor(shape: labels.shape, scalars: fractions, backend: labels.backend))
            return (loss + meanSquaredError(forward.answers, target) * weight, loss)
        }
        let mse = meanSquaredError(forward.answers, Variable(labels))
        guard let weight = deadAnswerPenalty, weight > 0 else { return (mse, mse) }
        return (mse + DecisionTreeOutput.deadAnswerPenalty(scores: forward.scores, targets: labels) * weight, mse)
    }

    public func learningRate(at step: Int) -> Float {
        let scheduled: Float
        switch schedule ?? .steps {
        case .steps:
            require(learningRates.count == boundaries.count + 1, "TrainingOptions: \(learningRates.count) learning rates for \(boundaries.count) boundaries")
            let fraction = Double(step) / Double(max(steps, 1))
            scheduled = boundaries.indices.first { fraction < boundaries[$0] }.map { learningRates[$0] } ?? learningRates.last!
        case .cosine, .linear, .trapezoid:
            let warmUp = scheduleWarmUpSteps ?? 0, peak = Double(learningRates[0]), floor = Double(learningRates.last!)
            if step < warmUp { return Float(peak * Double(step + 1) / Double(warmUp)) }
            let decaySteps = schedule == .trapezoid ? max(1, Int((Double(steps) * trapezoidDecayFraction).rounded())) : max(steps - warmUp, 1)
            let progress = min(max(Double(step - (steps - decaySteps)) / Double(decaySteps), 0), 1)
            scheduled = Float(schedule == .cosine ? floor + (peak - floor) * 0.5 * (1 + cos(Double.pi * progress)) : peak + (floor - peak) * progress)
        }
        guard let ramp = learningRateRamp, step < ramp.steps else { return scheduled }
        return scheduled * (ramp.startFactor + (1 - ramp.startFactor) * Float(step) / Float(ramp.steps))
    }
}

extension TrainingOptions {
    /// What makes these options unusable (a hand-edited run.json), or nil.
    public var problem: String? {
        guard steps > 0, batchSize > 0, warmUpSteps >= 0, validateEvery > 0, logEvery > 0, maxNormEvery >= 0, workers >= 0 else {
            return "steps, batchSize, validateEvery and logEvery must be positive; warmUpSteps, maxNormEvery and workers ≥ 0"
        }
        guard !learningRates.isEmpty, learningRates.allSatisfy({ $0 > 0 && $0.isFinite }) else { return "learning rates must be positive" }
        if (schedule ?? .steps) == .steps && learningRates.count != boundaries.count + 1 {
            return "\(learningRates.count) learning rates for \(boundaries.count) boundaries (one more rate than boundaries)"
        }
        guard (0..<1).contains(momentum), (averageDecay.map { $0 > 0 && $0 < 1 } ?? true), (dropout.map { (0..<1).contains($0) } ?? true),
              (scheduleWarmUpSteps ?? 0) >= 0, (weightDecay ?? 0) >= 0, checkpointMinutes > 0, (scheduleDecayFraction.map { $0 > 0 && $0 <= 1 } ?? true) else {
            return "momentum, averageDecay and dropout must be in [0, 1); weightDecay and scheduleWarmUpSteps ≥ 0; checkpointMinutes > 0; scheduleDecayFraction in (0, 1]"
        }
        return nil
    }

    /// A new optimiser as these options describe it, at the first scheduled rate.
    public func makeOptimizer() -> any Optimizer {
        var made: any Optimizer = switch optimizer ?? .nesterov {
        case .nesterov: SGD(learningRate: max(learningRate(at: 0), .leastNormalMagnitude), momentum: momentum, nesterov: true)
        case .adamW: AdamW(learningRate: max(learningRate(at: 0), .leastNormalMagnitude), weightDecay: weightDecay ?? 0.01)
        }
        made.layerScales = layerScales ?? [:]
        return made
    }

    /// The fast recipe's batch for a model of `parameterCount` parameters: 8 up to 5M, where
    /// twice the updates for the same images reach a lower RMSE (docs/time-to-accuracy.md), and 16
    /// above, where the per-update passes over the weights (AdamW and the average: ~40 % of an
    /// update of the best model at batch 8) would make a batch of 8 cost 75 % of a batch of 16.
    public static func fastBatch(parameterCount: Int) -> Int { parameterCount > 5_000_000 ? 16 : 8 }

    /// AdamW's peak rate for a model of `parameterCount` parameters at `batchSize` images per
    /// update: at batch 16, 2·10⁻³ as tuned on the small model and 3·10⁻⁴ for the large ones (the
    /// best model and its variants), whose outputs collapse at 5·10⁻⁴ and above (measured,
    /// docs/time-to-accuracy.md); other batches by the square-root rule (Adam's counterpart of
    /// SGD's linear rule), so batch 8 runs at 1.41·10⁻³ and 2.1·10⁻⁴.
    public static func adamWPeakRate(parameterCount: Int, batchSize: Int = originalBatch) -> Float {
        (parameterCount > 5_000_000 ? 0.0003 : 0.002) * Float((Double(batchSize) / Double(originalBatch)).squareRoot())
    }
}
