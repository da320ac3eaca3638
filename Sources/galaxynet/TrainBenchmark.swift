import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyZoo
import GalaxyTraining
import GalaxyNetwork
import GalaxyMock

/// `galaxynet bench train`: steady-state training speed of a model and recipe with realtime
/// augmentation, where the time goes, and the same run's sgemm peak.
struct TrainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training images/s with realtime augmentation (the faithful recipe at batch 16 unless told); shares of conv, dense, optimizer and data waiting.")

    @Option(help: "Model name or JSON configuration.") var model = "best"
    @Option(help: "Dataset in the Kaggle layout (default: a small mock universe made for the run).") var data: String?
    @Option(help: "Timed update steps.") var steps = 12
    @Option(help: "Untimed steps first.") var warmUp = 3
    @Option(help: "Augmentation workers.") var workers = 2
    @Option(help: "Images per update (default: the recipe's, 16 or 8 for fast).") var batch: Int?
    @OptionGroup var recipe: RecipeOptions
    @OptionGroup var compute: BackendOptions
    @OptionGroup var output: JSONOptions

    struct Report: Codable {
        var model: String
        var recipe: String
        var batch: Int
        var parameters: Int
        var images_per_second: Double
        var step_ms: Double
        var shares: [String: Double]
        var backward_ms_by_op: [String: Double]
        var sgemm_gflops: Double
    }

    func run() throws {
        guard steps > 0, warmUp >= 0, (batch ?? 1) > 0 else { throw ValidationError("--steps and --batch must be positive") }
        let configuration = try ModelConfiguration.named(model)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("galaxynet-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let root: String
        if let data { root = data } else {
            root = scratch + "/data"
            _ = try MockUniverse.generate(.init(count: 80, testCount: 0, seed: 1), into: root)
        }
        let dataset = try KaggleDataset(root: root)
        var choices = recipe.choices
        (choices.steps, choices.warmUpSteps, choices.batchSize) = (1_000_000, 0, batch)
        var options = recipe.named.options(overriddenBy: choices, parameterCount: configuration.parameterCount)
        options.workers = workers
        let trainer = try Trainer(dataset: dataset, configuration: configuration, options: options, run: RunFolder(scratch + "/run"),
                                  backend: compute.backend.backend, extractions: configuration.centred ? try dataset.trainingExtractions() : nil,
                                  progress: { _ in })
        let (rate, t) = try trainer.benchmark(warmUp: warmUp, steps: steps)
        let peak = KernelBenchmark.sgemmPeak(size: 4096, runs: 3)
        let convBackward: Double = (t.backward["conv2d"] ?? 0) + (t.backward["maxpool"] ?? 0)
        let denseBackward: Double = t.backward.values.reduce(0, +) - convBackward
        let conv: Double = t.forwardConvolution + convBackward, dense: Double = t.forwardDense + denseBackward
        let other: Double = max(0, t.total - conv - dense - t.optimizer - t.data)
        let shares: [String: Double] = ["conv": conv / t.total, "dense": dense / t.total, "optimizer": t.optimizer / t.total,
                                        "data_wait": t.data / t.total, "other": other / t.total]
        let report = Report(model: configuration.name, recipe: options.recipe ?? "faithful", batch: options.batchSize, parameters: configuration.parameterCount, images_per_second: rate,
                            step_ms: 1000 * t.total / Double(steps), shares: shares,
                            backward_ms_by_op: t.backward.mapValues { 1000 * $0 / Double(steps) }, sgemm_gflops: peak)
        if output.json { return try output.print(report) }
        print("training \(configuration.name) (\(configuration.parameterCount) parameters), recipe \(options.recipe ?? "faithful"), batch \(options.batchSize), realtime augmentation with \(workers) workers, \(compute.backend.rawValue)")
        print(String(format: "%.1f images/s (%.0f ms per update, %d timed updates)", rate, report.step_ms, steps))
        for key in ["conv", "dense", "optimizer", "data_wait", "other"] { print(Text.pad("  " + key, 14) + String(format: "%5.1f%%", 100 * shares[key]!)) }
        print("  backward ms per update by op: " + report.backward_ms_by_op.sorted { $0.value > $1.value }.map { String(format: "%@ %.1f", $0.key, $0.value) }.joined(separator: ", "))
        print(String(format: "sgemm 4096³ in the same run: %.1f GFLOP/s", peak))
    }
}
