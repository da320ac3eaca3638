import ArgumentParser
import GalaxyTraining
import GalaxyImaging

extension TrainingOptions.Recipe: ExpressibleByArgument {}
extension TrainingOptions.OptimizerChoice: ExpressibleByArgument {}
extension TrainingOptions.ScheduleShape: ExpressibleByArgument {}
extension TrainingOptions.OutputBias: ExpressibleByArgument {}
extension ImageCheck.Policy: ExpressibleByArgument {}

/// The optimisation recipe of a new run: a named recipe, then any of its parts overridden.
struct RecipeOptions: ParsableArguments {
    @Option(help: "Named recipe: faithful (the default: the original's Nesterov SGD and step schedule) or fast (batch 8, or 16 for models over 5M parameters, unless --batch is given, AdamW, warm-up then a straight decay, weight average, dropout 0.25, output biases at the label means; see docs/time-to-accuracy.md).")
    var recipe: TrainingOptions.Recipe?
    @Option(help: "Optimiser (nesterov | adamW, whose default peak rate at batch 16 is 0.002, 0.0003 for models over 5M parameters, times √(batch/16)); overrides the recipe's.") var optimizer: TrainingOptions.OptimizerChoice?
    @Option(help: "First (peak) learning rate; the schedule's later rates keep their ratios to it.") var learningRate: Float?
    @Option(help: "Learning-rate schedule (steps | cosine | linear | trapezoid); overrides the recipe's.") var schedule: TrainingOptions.ScheduleShape?
    @Option(help: "Updates of the cosine, linear or trapezoid schedule's linear warm-up (default: a twentieth of the run).") var scheduleWarmup: Int?
    @Option(help: "The share of the run over which the trapezoid schedule falls from its peak (default 0.2).") var scheduleDecay: Double?
    @Option(help: "AdamW's decoupled weight decay.") var weightDecay: Float?
    @Option(help: "Keep a moving average of the weights with this decay (e.g. 0.998) for validation, prediction and checkpoints.")
    var averageDecay: Float?
    @Option(help: "Start the output biases at labelMeans (each answer's training mean: the run starts at the training-mean prediction) instead of the configuration's constant.")
    var outputBias: TrainingOptions.OutputBias?

    /// The recipe the flags start from.
    var named: TrainingOptions.Recipe { recipe ?? .faithful }

    /// The recipe's parts these flags override.
    var choices: TrainingChoices {
        var c = TrainingChoices()
        (c.optimizer, c.learningRate, c.schedule, c.scheduleWarmUpSteps) = (optimizer, learningRate, schedule, scheduleWarmup)
        (c.scheduleDecayFraction, c.weightDecay, c.averageDecay, c.outputBias) = (scheduleDecay, weightDecay, averageDecay, outputBias)
        return c
    }

    func validate() throws { try Self.check(choices, over: named.preset) }

    /// The flag that sets each part of `TrainingChoices`, for messages (immutable: key paths are
    /// not marked Sendable, but this table is never written).
    nonisolated(unsafe) static let flags: [PartialKeyPath<TrainingChoices>: String] = [
        \.steps: "--steps", \.seed: "--seed", \.batchSize: "--batch", \.warmUpSteps: "--warmup", \.validateEvery: "--validate-every",
        \.mode: "--mode", \.deadAnswerPenalty: "--dead-answer-penalty", \.fractionWeight: "--fraction-weight", \.dropout: "--dropout", \.onBadImage: "--on-bad-image",
        \.optimizer: "--optimizer", \.learningRate: "--learning-rate", \.schedule: "--schedule", \.scheduleWarmUpSteps: "--schedule-warmup",
        \.scheduleDecayFraction: "--schedule-decay", \.weightDecay: "--weight-decay", \.averageDecay: "--average-decay",
        \.outputBias: "--output-bias", \.linearScaling: "--scale-learning-rate",
    ]

    /// Refuses `choices` that contradict the recipe, naming the flag.
    static func check(_ choices: TrainingChoices, over preset: TrainingChoices) throws {
        guard let problem = choices.problem(over: preset) else { return }
        throw ValidationError("\(flags[problem.part] ?? "a choice") \(problem.reason)")
    }

    /// The flags given on the command line (a resumed run takes none: its options are fixed).
    var flagsGiven: [String] {
        [("--recipe", recipe != nil), ("--optimizer", optimizer != nil), ("--learning-rate", learningRate != nil),
         ("--schedule", schedule != nil), ("--schedule-warmup", scheduleWarmup != nil), ("--schedule-decay", scheduleDecay != nil), ("--weight-decay", weightDecay != nil),
         ("--average-decay", averageDecay != nil), ("--output-bias", outputBias != nil)].filter(\.1).map(\.0)
    }
}
