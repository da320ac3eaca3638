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
    @Option(help: "Named recipe: faithful (the default: the original's Nesterov SGD and step schedule) or fast (batch 8 unless --batch is given, AdamW, warm-up then a straight decay, weight average, dropout 0.25, output biases at the label means; see docs/time-to-accuracy.md).")
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

    func validate() throws {
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) { throw ValidationError("--learning-rate must be positive") }
        if let scheduleWarmup, scheduleWarmup < 0 { throw ValidationError("--schedule-warmup must be ≥ 0") }
        if let weightDecay, !(weightDecay >= 0 && weightDecay.isFinite) { throw ValidationError("--weight-decay must be ≥ 0") }
        if let averageDecay, !(averageDecay > 0 && averageDecay < 1) { throw ValidationError("--average-decay must be between 0 and 1") }
        if weightDecay != nil, optimizerChosen != .adamW {
            throw ValidationError("--weight-decay is AdamW's; choose --optimizer adamW or --recipe fast")
        }
        if let scheduleDecay, !(scheduleDecay > 0 && scheduleDecay <= 1) { throw ValidationError("--schedule-decay must be in (0, 1]") }
        let shape = schedule ?? (recipe == .fast ? .linear : .steps)
        if scheduleWarmup != nil, shape == .steps {
            throw ValidationError("--schedule-warmup belongs to the cosine, linear and trapezoid schedules; add --schedule cosine, linear or trapezoid")
        }
        if scheduleDecay != nil, shape != .trapezoid { throw ValidationError("--schedule-decay belongs to the trapezoid schedule; add --schedule trapezoid") }
    }

    /// The optimiser a new run will use: the flag's, else the recipe's.
    var optimizerChosen: TrainingOptions.OptimizerChoice { optimizer ?? (recipe == .fast ? .adamW : .nesterov) }

    /// The batch a new run will use: `given` (the --batch flag), else the recipe's.
    func batchSize(given: Int?) -> Int { given ?? (recipe ?? .faithful).batchSize }

    /// The flags given on the command line (a resumed run takes none: its options are fixed).
    var flagsGiven: [String] {
        [("--recipe", recipe != nil), ("--optimizer", optimizer != nil), ("--learning-rate", learningRate != nil),
         ("--schedule", schedule != nil), ("--schedule-warmup", scheduleWarmup != nil), ("--schedule-decay", scheduleDecay != nil), ("--weight-decay", weightDecay != nil),
         ("--average-decay", averageDecay != nil), ("--output-bias", outputBias != nil)].filter(\.1).map(\.0)
    }

    func apply(to options: inout TrainingOptions, parameterCount: Int) {
        options.apply(recipe ?? .faithful, parameterCount: parameterCount)
        if let optimizer, optimizer != options.optimizer ?? .nesterov {
            options.optimizer = optimizer
            // Rates keep their ratios; the peak moves to one suited to the optimiser and model.
            let peak: Float = optimizer == .adamW ? TrainingOptions.adamWPeakRate(parameterCount: parameterCount, batchSize: options.batchSize) : 0.04
            options.learningRates = options.learningRates.map { $0 * peak / options.learningRates[0] }
        }
        if let schedule {
            options.schedule = schedule
            if schedule != .steps, options.learningRates.count > 2 { options.learningRates = [options.learningRates[0], options.learningRates.last!] }
            if schedule != .steps, options.scheduleWarmUpSteps == nil { options.scheduleWarmUpSteps = max(1, options.steps / 20) }
        }
        if let scheduleWarmup { options.scheduleWarmUpSteps = scheduleWarmup }
        if let scheduleDecay { options.scheduleDecayFraction = scheduleDecay }
        if let learningRate { options.learningRates = options.learningRates.map { $0 * learningRate / options.learningRates[0] } }
        if let weightDecay { options.weightDecay = weightDecay }
        if let averageDecay { options.averageDecay = averageDecay }
        if let outputBias { options.outputBias = outputBias }
    }
}
