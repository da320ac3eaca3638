import Foundation
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyImaging
import GalaxyNetwork
import GalaxyZoo

/// One update of spec §5, and the state it changes: the model, the Nesterov SGD velocities and
/// the number of updates done.
///
/// An update is two halves so that a distributed step can sit between them: `gradients(for:)`
/// runs the model's forward pass (warm-up or normalised output mode by step), the objective and
/// the backward pass without changing anything; `apply(_:)` runs the optimizer at the scheduled
/// learning rate (after resetting the momentum where the normalised phase starts), max-norm
/// every `maxNormEvery` updates, and counts the update. Dropout masks are drawn from the stream
/// (seed, 3, step), so a resumed run repeats the same masks.
public struct TrainingStep {
    public var model: GalaxyModel
    public var optimizer: SGD
    public let options: TrainingOptions
    /// Updates done so far.
    public internal(set) var step = 0

    /// Where the time of an update goes, accumulated over updates (for `bench train`).
    public struct Times: Sendable {
        public var data = 0.0, forwardConvolution = 0.0, forwardDense = 0.0, backward: [String: Double] = [:], optimizer = 0.0, total = 0.0
        public init() {}
    }

    /// What `gradients(for:)` found: the batch MSE (reported) and one gradient per parameter.
    public struct Gradients {
        public var meanSquaredError: Float
        public var values: [Tensor]
    }

    /// A new model initialised from the stream (seed, 4), at update 0.
    public init(configuration: ModelConfiguration, options: TrainingOptions, backend: any Backend) {
        var g = SeededGenerator(seed: options.seed, stream: 4)
        self.init(model: GalaxyModel(configuration, generator: &g, backend: backend), options: options)
    }

    public init(model: GalaxyModel, options: TrainingOptions) {
        self.model = model
        self.options = options
        optimizer = SGD(learningRate: options.learningRates[0], momentum: options.momentum, nesterov: true)
    }

    /// The output mode of update `step`: clipped scores during the warm-up updates.
    var outputMode: DecisionTreeOutput.Mode { step < options.warmUpSteps ? .warmUp : .normalised }

    /// Forward, objective and backward for `parts` ([16·B, 3, 45, 45]) against `labels` ([B, 37]).
    public mutating func gradients(parts: Tensor, labels: Tensor, times: inout Times, profile: BackwardProfile? = nil) -> Gradients {
        model.outputMode = outputMode
        var context = ForwardContext(training: true, generator: SeededGenerator(seed: options.seed, stream: 3, UInt64(step)))
        var clock = DispatchTime.now().uptimeNanoseconds
        func lap() -> Double { let now = DispatchTime.now().uptimeNanoseconds; defer { clock = now }; return Double(now - clock) / 1e9 }
        let forward = model.forward(Variable(parts), &context) { stage in
            if stage == .convolutionsDone { times.forwardConvolution += lap() }
        }
        let loss = options.objective(forward, labels: labels)
        let mse = loss.meanSquaredError.value.scalar
        times.forwardDense += lap()
        let values = GalaxyAutodiff.gradients(of: loss.objective, wrt: model.parameters, profile: profile)
        return Gradients(meanSquaredError: mse, values: values)
    }

    /// The same for a batch of the augmentation pipeline.
    public mutating func gradients(for batch: AugmentedBatch, times: inout Times, profile: BackwardProfile? = nil) -> Gradients {
        let parts = Parts.stack(view0: batch.view0, view45: batch.view45, backend: model.backend)
        let labels = Tensor(shape: [batch.indices.count, DecisionTree.outputCount], scalars: batch.labels, backend: model.backend)
        return gradients(parts: parts, labels: labels, times: &times, profile: profile)
    }

    /// The optimizer step with `gradients` (in `parameterPaths` order), max-norm, and the count.
    public mutating func apply(_ gradients: [Tensor], times: inout Times) {
        let start = DispatchTime.now().uptimeNanoseconds
        if step == options.warmUpSteps && options.warmUpSteps > 0 { optimizer.resetMomentum() }  // the normalised phase starts at rest
        optimizer.learningRate = options.learningRate(at: step)
        optimizer.update(&model, gradients: gradients)
        if options.maxNormEvery > 0 && (step + 1) % options.maxNormEvery == 0 { model.applyMaxNorm() }
        step += 1
        times.optimizer += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// One whole update on a pipeline batch; returns the batch MSE.
    @discardableResult
    public mutating func callAsFunction(_ batch: AugmentedBatch, times: inout Times, profile: BackwardProfile? = nil) -> Float {
        let g = gradients(for: batch, times: &times, profile: profile)
        apply(g.values, times: &times)
        return g.meanSquaredError
    }

    /// The optimizer's velocities by parameter name, for a checkpoint (empty before the first
    /// update of a phase).
    public var namedVelocities: [(name: String, tensor: Tensor)] {
        optimizer.velocities.isEmpty ? [] : zip(model.parameterPaths, optimizer.velocities).map { ($0.name, $1) }
    }

    /// Continues from a checkpoint: its weights, velocities and update count.
    public mutating func restore(_ checkpoint: RunFolder.Checkpoint, file: String) throws {
        try model.load(checkpoint.weights, file: file)
        if !checkpoint.velocities.isEmpty {
            let byName = Dictionary(checkpoint.velocities.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
            optimizer.velocities = try model.parameterPaths.map { path in
                guard let v = byName[path.name] else { throw CheckpointError(file: file, reason: "no velocity for \(path.name)") }
                return v
            }
        }
        step = checkpoint.state.step
    }
}
