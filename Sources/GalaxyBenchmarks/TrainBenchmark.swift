import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyZoo
import GalaxyNetwork
import GalaxyMock
import GalaxyTraining

/// Steady-state training speed of a model and recipe with realtime augmentation, where the time
/// goes, and the same run's sgemm peak. Without a dataset it trains on a small mock universe
/// made for the run (speed does not depend on the labels).
public struct TrainBenchmark {
    /// What each timed update trains on.
    public enum Input: String, Codable, CaseIterable, Sendable {
        /// A new batch from the augmentation workers, which share the cores with the update.
        case realtime
        /// One augmented batch, taken before the clock starts, for every update: the update
        /// alone, the workload of other frameworks' training benchmarks (the PyTorch peer trains
        /// on one random batch), so their figures compare like with like.
        case fixed
    }

    /// The figures, as `--json` prints them.
    public struct Report: Codable, Sendable {
        public var model: String
        public var recipe: String
        public var batch: Int
        public var parameters: Int
        public var images_per_second: Double
        public var step_ms: Double
        public var shares: [String: Double]
        public var backward_ms_by_op: [String: Double]
        public var sgemm_gflops: Double
        public var backend: String
        public var workers: Int
        public var steps: Int
        public var input: Input

        public var text: String {
            var lines = ["training \(model) (\(parameters) parameters), recipe \(recipe), batch \(batch), "
                         + (input == .realtime ? "realtime augmentation with \(workers) workers" : "one augmented batch for every update (no augmentation running)")
                         + ", \(backend)",
                         String(format: "%.1f images/s (%.0f ms per update, %d timed updates)", images_per_second, step_ms, steps)]
            for key in ["conv", "dense", "optimizer", "data_wait", "other"] { lines.append(Text.pad("  " + key, 14) + String(format: "%5.1f%%", 100 * shares[key]!)) }
            lines.append("  backward ms per update by op: "
                         + backward_ms_by_op.sorted { $0.value > $1.value }.map { String(format: "%@ %.1f", $0.key, $0.value) }.joined(separator: ", "))
            lines.append(String(format: "sgemm 4096³ in the same run: %.1f GFLOP/s", sgemm_gflops))
            return lines.joined(separator: "\n")
        }
    }

    public var configuration: ModelConfiguration
    /// The recipe's options; steps and warm-up are the benchmark's own.
    public var options: TrainingOptions
    public var backend: any Backend
    /// A dataset in the Kaggle layout, or nil for a mock universe of 80 galaxies.
    public var data: String?
    public var warmUp = 3
    public var steps = 12
    public var input = Input.realtime

    public init(configuration: ModelConfiguration, options: TrainingOptions, backend: any Backend, data: String? = nil) {
        (self.configuration, self.options, self.backend, self.data) = (configuration, options, backend, data)
    }

    public func measure() throws -> Report {
        require(steps > 0 && warmUp >= 0, "TrainBenchmark: \(steps) timed steps after \(warmUp)")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("galaxynet-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let root: String
        if let data { root = data } else {
            root = scratch + "/data"
            _ = try MockUniverse.generate(.init(count: 80, testCount: 0, seed: 1), into: root)
        }
        let dataset = try KaggleDataset(root: root)
        let trainer = try Trainer(dataset: dataset, configuration: configuration, options: options, run: RunFolder(scratch + "/run"),
                                  backend: backend, extractions: configuration.centred ? try dataset.trainingExtractions(cutout: configuration.cutout) : nil,
                                  progress: { _ in })
        let (rate, t) = try trainer.benchmark(warmUp: warmUp, steps: steps, reusingOneBatch: input == .fixed)
        let peak = KernelBenchmark.sgemmPeak(size: 4096, runs: 3)
        let convBackward: Double = (t.backward["conv2d"] ?? 0) + (t.backward["maxpool"] ?? 0)
        let denseBackward: Double = t.backward.values.reduce(0, +) - convBackward
        let conv: Double = t.forwardConvolution + convBackward, dense: Double = t.forwardDense + denseBackward
        let other: Double = max(0, t.total - conv - dense - t.optimizer - t.data)
        let shares: [String: Double] = ["conv": conv / t.total, "dense": dense / t.total, "optimizer": t.optimizer / t.total,
                                        "data_wait": t.data / t.total, "other": other / t.total]
        return Report(model: configuration.name, recipe: options.recipe ?? "faithful", batch: options.batchSize,
                      parameters: configuration.parameterCount, images_per_second: rate, step_ms: 1000 * t.total / Double(steps), shares: shares,
                      backward_ms_by_op: t.backward.mapValues { 1000 * $0 / Double(steps) }, sgemm_gflops: peak,
                      backend: backend.name, workers: options.workers, steps: steps, input: input)
    }
}
