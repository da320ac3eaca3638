import Foundation
import GalaxyCore
import GalaxyZoo
import GalaxyLayers

/// Training runs side by side: each run's validation RMSE against the images it has seen, and
/// the images each needs to reach a target RMSE (by default the reference run's final one) —
/// the time-to-accuracy measure of docs/time-to-accuracy.md.
public struct RunComparison {
    /// One run's validation curve.
    public struct Curve: Sendable {
        public var label: String
        /// The run's recipe and optimiser, as run.json records them, and its loss where it is not the original MSE.
        public var recipe: String
        /// (images seen, validation RMSE) at each validation.
        public var points: [(images: Int, rmse: Double)]
        public var finalRMSE: Double? { points.last?.rmse }

        /// The images seen at the first validation at or below `target` (the resolution is the
        /// run's validation interval), nil when never reached.
        public func imagesToReach(_ target: Double) -> Int? { points.first { $0.rmse <= target }?.images }

        public init(label: String, recipe: String, points: [(images: Int, rmse: Double)]) { (self.label, self.recipe, self.points) = (label, recipe, points) }
    }

    public var curves: [Curve]
    /// The training-mean baseline and the oracle floor on the validation images, when known.
    public var baseline: Double?, floor: Double?

    public init(curves: [Curve], baseline: Double?, floor: Double?) {
        self.curves = curves
        self.baseline = baseline
        self.floor = floor
    }

    /// Reads the runs' logs and descriptions; labels default to the folder names.
    public init(runs: [RunFolder], labels: [String]? = nil, baseline: Double?, floor: Double?) throws {
        curves = try runs.enumerated().map { i, run in
            let (configuration, options) = try run.loadConfiguration()
            let points = run.readLog().compactMap { e in e.validation_rmse.map { (images: e.step * options.batchSize, rmse: $0) } }
            guard !points.isEmpty else { throw CheckpointError(file: run.logFile, reason: "the run has no validation yet") }
            let shape = options.schedule ?? .steps
            let schedule = shape == .trapezoid ? "trapezoid (last \(Int((options.trapezoidDecayFraction * 100).rounded())) % decaying)" : shape.rawValue
            let recipe = [options.recipe ?? "faithful", options.batchSize == TrainingOptions.originalBatch ? nil : "batch \(options.batchSize)",
                          (options.optimizer ?? .nesterov).rawValue, schedule,
                          options.averageDecay.map { "average \($0)" }, options.dropout.map { "dropout \($0)" },
                          options.outputBias.map { _ in "label-mean output biases" },
                          configuration.objective == .mse ? nil : "\(configuration.objective.rawValue) loss"].compactMap { $0 }.joined(separator: ", ")
            return Curve(label: labels?[i] ?? URL(fileURLWithPath: run.path).lastPathComponent, recipe: recipe, points: points)
        }
        self.baseline = baseline
        self.floor = floor
    }

    /// The mean of the final validation RMSEs of the runs at `references` (several seeds of one
    /// recipe make a steadier target than any one of them).
    public func meanFinalRMSE(of references: [Int]) -> Double {
        require(!references.isEmpty && references.allSatisfy(curves.indices.contains), "RunComparison: references \(references) outside 0..<\(curves.count)")
        return references.map { curves[$0].finalRMSE! }.reduce(0, +) / Double(references.count)
    }

    /// A Markdown table: each run's final RMSE, its images, and the images (and the fraction of
    /// the first reference run's) it needed to reach `target` — by default the mean final RMSE of
    /// the runs at `references`; a given target is said to be one.
    public func table(target given: Double? = nil, references: [Int] = [0]) -> String {
        let target = given ?? meanFinalRMSE(of: references)
        let referenceImages = curves[references[0]].points.last!.images
        let source = given != nil ? "given" : references.count == 1 ? "the final RMSE of \(curves[references[0]].label)"
            : "the mean final RMSE of " + references.map { curves[$0].label }.joined(separator: ", ")
        var lines = [String(format: "Target: validation RMSE %.4f (%@).", target, source), "",
                     "| run | recipe | images | final RMSE | images to reach the target | share of the reference's images |",
                     "|---|---|---|---|---|---|"]
        for c in curves {
            let reached = c.imagesToReach(target)
            lines.append(String(format: "| %@ | %@ | %d | %.4f | %@ | %@ |", c.label, c.recipe, c.points.last!.images, c.finalRMSE!,
                                reached.map(String.init) ?? "not reached",
                                reached.map { String(format: "%.0f %%", 100 * Double($0) / Double(referenceImages)) } ?? "—"))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension RunComparison {
    /// The training-mean baseline on `dataset`'s validation images, and the oracle floor there
    /// when `truth` (a mock universe's true probabilities by ID) is known.
    public static func validationReferences(dataset: KaggleDataset, truth: [Int: [Float]]?) -> (baseline: Double, floor: Double?) {
        let (training, validation) = dataset.split
        let held = dataset.labels.subset(validation)
        let baseline = Baselines(training: dataset.labels.subset(training)).evaluate(on: held, tree: dataset.tree).trainingMean.rmse
        guard let truth, held.ids.allSatisfy({ truth[$0] != nil }) else { return (baseline, nil) }
        return (baseline, Evaluation(predictions: held.ids.flatMap { truth[$0]! }, truth: held.values, tree: dataset.tree).rmse)
    }
}
