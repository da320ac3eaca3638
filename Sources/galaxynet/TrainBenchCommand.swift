import ArgumentParser
import GalaxyBenchmarks
import GalaxyNetwork

/// `galaxynet bench train`: steady-state training speed of a model and recipe, with realtime
/// augmentation or on one batch, where the time goes, and the same run's sgemm peak.
struct TrainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training images/s with realtime augmentation or on one batch (the faithful recipe at batch 16 unless told); shares of conv, dense, optimizer and data waiting.")

    @Option(help: "Model name or JSON configuration.") var model = "best"
    @Option(help: "Dataset in the Kaggle layout (default: a small mock universe made for the run).") var data: String?
    @Option(help: "Timed update steps.") var steps = 12
    @Option(help: "Untimed steps first.") var warmUp = 3
    @Option(help: "Augmentation workers.") var workers = 2
    @Option(help: "What each update trains on: realtime (new augmented batches, the workers sharing the cores) or fixed (one augmented batch for every update: the update alone, as other frameworks' training benchmarks measure it).")
    var input: TrainBenchmark.Input = .realtime
    @Option(help: "Images per update (default: the recipe's, 16 or 8 for fast).") var batch: Int?
    @OptionGroup var recipe: RecipeOptions
    @OptionGroup var compute: BackendOptions
    @OptionGroup var output: JSONOptions

    func validate() throws {
        guard steps > 0, warmUp >= 0, workers > 0, (batch ?? 1) > 0 else { throw ValidationError("--steps, --workers and --batch must be positive") }
    }

    func run() throws {
        let configuration = try ModelConfiguration.named(model)
        var choices = recipe.choices
        (choices.steps, choices.warmUpSteps, choices.batchSize) = (1_000_000, 0, batch)
        var options = recipe.named.options(overriddenBy: choices, parameterCount: configuration.parameterCount)
        options.workers = workers
        var benchmark = TrainBenchmark(configuration: configuration, options: options, backend: compute.backend.backend, data: data)
        (benchmark.warmUp, benchmark.steps, benchmark.input) = (warmUp, steps, input)
        let report = try benchmark.measure()
        if output.json { try output.print(report) } else { print(report.text) }
    }
}

extension TrainBenchmark.Input: ExpressibleByArgument {}
