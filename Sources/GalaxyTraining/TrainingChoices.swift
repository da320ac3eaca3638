import GalaxyCore
import GalaxyImaging

/// What a person chooses for a new run, every part optional: a named recipe is one of these with
/// its parts filled in (`Recipe.preset`), the command line's flags are another, and
/// `options(parameterCount:)` lays the flags over the recipe and derives the rest in one place —
/// the learning rates from the optimiser, the model's size and the batch; the schedule's warm-up
/// from the run's length.
public struct TrainingChoices: Sendable, Equatable {
    public var steps: Int?
    public var seed: UInt64?
    public var batchSize: Int?
    public var warmUpSteps: Int?
    public var validateEvery: Int?
    public var mode: ResamplingMode?
    public var deadAnswerPenalty: Float?
    public var fractionWeight: Float?
    public var dropout: Float?
    public var onBadImage: ImageCheck.Policy?
    public var optimizer: TrainingOptions.OptimizerChoice?
    /// The peak (first) learning rate; the schedule's later rates keep the recipe's ratios to it.
    public var learningRate: Float?
    public var schedule: TrainingOptions.ScheduleShape?
    public var scheduleWarmUpSteps: Int?
    public var scheduleDecayFraction: Double?
    public var weightDecay: Float?
    public var averageDecay: Float?
    public var outputBias: TrainingOptions.OutputBias?
    /// SGD's linear scaling rule for batches above 16, with a ramp of this many updates (nil: a
    /// twentieth of the run).
    public var linearScaling: LinearScaling?

    public struct LinearScaling: Sendable, Equatable {
        public var rampSteps: Int?
        public init(rampSteps: Int? = nil) { self.rampSteps = rampSteps }
    }

    public init() {}

    /// `self` with every part `overrides` sets replaced by it.
    public func overridden(by overrides: TrainingChoices) -> TrainingChoices {
        var c = self
        func take<T>(_ path: WritableKeyPath<TrainingChoices, T?>) { if let v = overrides[keyPath: path] { c[keyPath: path] = v } }
        take(\.steps); take(\.seed); take(\.batchSize); take(\.warmUpSteps); take(\.validateEvery); take(\.mode)
        take(\.deadAnswerPenalty); take(\.fractionWeight); take(\.dropout); take(\.onBadImage); take(\.optimizer); take(\.learningRate); take(\.schedule)
        take(\.scheduleWarmUpSteps); take(\.scheduleDecayFraction); take(\.weightDecay); take(\.averageDecay); take(\.outputBias)
        take(\.linearScaling)
        return c
    }

    /// A choice out of range or contradicting another: the part at fault and why.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let part: PartialKeyPath<TrainingChoices> & Sendable
        public let reason: String
        public var description: String { reason }
    }

    /// What makes these choices out of range, or contradict `base` (the recipe they override), or
    /// nil. A rule between two parts binds only the part set here: a recipe's own weight decay
    /// does not stop a switch to Nesterov SGD.
    public func problem(over base: TrainingChoices = TrainingChoices()) -> Problem? {
        let merged = base.overridden(by: self)
        let rules: [(PartialKeyPath<TrainingChoices> & Sendable, Bool, String)] = [
            (\.learningRate, learningRate.map { !($0 > 0 && $0.isFinite) } ?? false, "must be positive"),
            (\.scheduleWarmUpSteps, (scheduleWarmUpSteps ?? 0) < 0, "must be ≥ 0 updates"),
            (\.weightDecay, weightDecay.map { !($0 >= 0 && $0.isFinite) } ?? false, "must be ≥ 0"),
            (\.averageDecay, averageDecay.map { !($0 > 0 && $0 < 1) } ?? false, "must be between 0 and 1"),
            (\.scheduleDecayFraction, scheduleDecayFraction.map { !($0 > 0 && $0 <= 1) } ?? false, "must be in (0, 1]"),
            (\.deadAnswerPenalty, deadAnswerPenalty.map { !($0 >= 0 && $0.isFinite) } ?? false, "must be a number ≥ 0"),
            (\.fractionWeight, fractionWeight.map { !($0 >= 0 && $0.isFinite) } ?? false, "must be a number ≥ 0"),
            (\.dropout, dropout.map { !(0..<1).contains($0) } ?? false, "must be in [0, 1)"),
            (\.weightDecay, weightDecay != nil && merged.optimizer != .adamW, "is AdamW's; choose the adamW optimiser or the fast recipe"),
            (\.scheduleWarmUpSteps, scheduleWarmUpSteps != nil && (merged.schedule ?? .steps) == .steps,
             "belongs to the cosine, linear and trapezoid schedules; choose one of them"),
            (\.scheduleDecayFraction, scheduleDecayFraction != nil && merged.schedule != .trapezoid, "belongs to the trapezoid schedule; choose it"),
            (\.linearScaling, linearScaling != nil && merged.optimizer == .adamW,
             "is SGD's linear rule; AdamW's peak rate already follows the batch (square-root rule)"),
        ]
        return rules.first { $0.1 }.map { Problem(part: $0.0, reason: $0.2) }
    }

    /// The original's stepped rates, 0.04 → 0.004 → 0.0004: other peaks keep their ratios.
    static let originalRates: [Float] = [0.04, 0.004, 0.0004]

    /// The options of a new run of a model of `parameterCount` parameters, recorded as `recipe`'s.
    /// Unset parts take the original's values.
    public func options(parameterCount: Int, recipe: String) -> TrainingOptions {
        var o = TrainingOptions(steps: steps ?? 1000, seed: seed ?? 1)
        o.recipe = recipe
        o.batchSize = batchSize ?? TrainingOptions.originalBatch
        if let warmUpSteps { o.warmUpSteps = warmUpSteps }
        if let validateEvery { o.validateEvery = validateEvery }
        o.mode = mode ?? .faithful
        o.deadAnswerPenalty = (deadAnswerPenalty ?? 0) > 0 ? deadAnswerPenalty : nil
        o.fractionWeight = (fractionWeight ?? 0) > 0 ? fractionWeight : nil
        (o.dropout, o.onBadImage, o.weightDecay, o.averageDecay, o.outputBias) = (dropout, onBadImage, weightDecay, averageDecay, outputBias)
        o.optimizer = optimizer
        let shape = schedule ?? .steps
        o.schedule = schedule
        let peak = learningRate ?? (optimizer == .adamW ? TrainingOptions.adamWPeakRate(parameterCount: parameterCount, batchSize: o.batchSize) : 0.04)
        if shape == .steps {
            o.learningRates = peak == Self.originalRates[0] ? Self.originalRates : Self.originalRates.map { $0 * peak / Self.originalRates[0] }
        } else {
            o.learningRates = [peak, peak / 100]
            o.scheduleWarmUpSteps = scheduleWarmUpSteps ?? max(1, o.steps / 20)
            o.scheduleDecayFraction = scheduleDecayFraction
        }
        if let linearScaling { o.scaleLearningRates(forBatch: o.batchSize, rampSteps: linearScaling.rampSteps ?? o.steps / 20) }
        return o
    }
}

extension TrainingOptions {
    /// A named set of choices.
    public enum Recipe: String, Codable, Sendable, CaseIterable {
        /// The winning solution's: Nesterov SGD at 0.04, stepped down ×10 at 72 % and 92 %.
        case faithful
        /// Fewer images to the same accuracy (docs/time-to-accuracy.md): batch 8 for models up to
        /// 5M parameters (twice the updates for the same images) and 16 above (where each update's
        /// optimiser and average passes over the weights cost more than the images: `fastBatch`), AdamW at the model's peak rate (`adamWPeakRate`) with a 5 %
        /// linear warm-up and a straight decay to 1 % of it over the rest of the run, an average of
        /// the weights (decay 0.998), dropout 0.25 instead of 0.5 (a short run underfits before it
        /// overfits), and the output biases at the label means.
        case fast

        /// The recipe's choices; anything it leaves unset is the original's.
        public var preset: TrainingChoices {
            var c = TrainingChoices()
            guard self == .fast else { return c }
            (c.optimizer, c.weightDecay, c.schedule) = (.adamW, 0.01, .linear)
            (c.averageDecay, c.dropout, c.outputBias) = (0.998, 0.25, .labelMeans)
            return c
        }

        /// The options of a new run of this recipe with `overrides` laid over it (which must have
        /// no `problem(over: preset)`).
        public func options(overriddenBy overrides: TrainingChoices = TrainingChoices(), parameterCount: Int) -> TrainingOptions {
            require(overrides.problem(over: preset) == nil, "Recipe: \(overrides.problem(over: preset).map { "\($0.part): \($0)" } ?? "")")
            var preset = preset
            if self == .fast { preset.batchSize = TrainingOptions.fastBatch(parameterCount: parameterCount) }
            return preset.overridden(by: overrides).options(parameterCount: parameterCount, recipe: rawValue)
        }
    }
}
