import Foundation
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyImaging
import GalaxyNetwork
import GalaxyZoo

/// One update of original-solution-spec.md §5, and the state it changes: the model, the optimiser's state (Nesterov
/// SGD velocities, or AdamW moments), the average of the weights when the options keep one, and
/// the number of updates done.
///
/// An update is two halves so that a distributed step can sit between them: `gradients(for:)`
/// runs the model's forward pass (warm-up or normalised output mode by step), the objective and
/// the backward pass without changing anything; `apply(_:)` runs the optimizer at the scheduled
/// learning rate (after resetting the momentum where the normalised phase starts), max-norm
/// every `maxNormEvery` updates, folds the new weights into the average, and counts the update. Each example's dropout masks are drawn
/// from the stream (seed, 3, step, slot), so a resumed run repeats the same masks and a batch
/// split across processes draws what one process would.
public struct TrainingStep {
    public var model: GalaxyModel
    public var optimizer: any Optimizer
    /// The moving average of the weights (`options.averageDecay`), nil when off.
    public var average: WeightAverage?
    public let options: TrainingOptions
    /// Updates done so far.
    public internal(set) var step = 0

    /// Where the time of an update goes, accumulated over updates (for `bench train`).
    public struct Times: Sendable {
        public var data = 0.0, forwardConvolution = 0.0, forwardDense = 0.0, backward: [String: Double] = [:], optimizer = 0.0, total = 0.0
        /// Waiting for the gradient sums of other processes after the backward pass.
        public var communication = 0.0
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
        optimizer = options.makeOptimizer()
        average = options.averageDecay.map { WeightAverage(of: model, decay: $0) }
    }

    /// Starts the output layer's biases at `values` (a new run, before its first update); the
    /// average of the weights starts with them.
    public mutating func startOutputBias(at values: [Float]) {
        require(step == 0 && values.count == model.output.outputs, "TrainingStep: output biases are set before the first update, one per output")
        model.output.bias = Variable(parameter: Tensor(shape: [values.count], scalars: values, backend: model.backend))
        average = options.averageDecay.map { WeightAverage(of: model, decay: $0) }
    }

    /// The weights to validate, predict and publish with: the average when kept, else the model.
    public var evaluationModel: GalaxyModel { average?.applied(to: model) ?? model }

    /// The output mode of update `step`: clipped scores during the warm-up updates.
    var outputMode: DecisionTreeOutput.Mode { step < options.warmUpSteps ? .warmUp : .normalised }

    /// Forward, objective and backward for `parts` ([16·B, 3, 45, 45]) against `labels` ([B, 37]),
    /// the examples in batch `slots` (default 0 ..< B). `share` (B over the global batch, when
    /// processes split it) scales the objective so that summed gradients are the global batch's.
    /// `ready` gets each parameter's gradient as soon as it is final (see `gradients(of:wrt:)`).
    public mutating func gradients(parts: Tensor, labels: Tensor, slots: Range<Int>? = nil, share: Float = 1, times: inout Times,
                                   profile: BackwardProfile? = nil, ready: ((Int, Tensor) -> Void)? = nil) -> Gradients {
        model.outputMode = outputMode
        let slots = slots ?? 0..<labels.shape[0], step = UInt64(step), seed = options.seed
        require(slots.count == labels.shape[0], "TrainingStep: \(slots.count) slots for \(labels.shape[0]) examples")
        var context = ForwardContext(training: true, generator: SeededGenerator(seed: seed, stream: 3, step),
                                     exampleGenerators: slots.map { SeededGenerator(seed: seed, stream: 3, step, UInt64($0)) })
        var clock = DispatchTime.now().uptimeNanoseconds
        func lap() -> Double { let now = DispatchTime.now().uptimeNanoseconds; defer { clock = now }; return Double(now - clock) / 1e9 }
        let forward = model.forward(Variable(parts), &context) { stage in
            if stage == .convolutionsDone { times.forwardConvolution += lap() }
        }
        let loss = options.objective(forward, labels: labels, tree: model.configuration.tree)
        let mse = loss.meanSquaredError.value.scalar
        times.forwardDense += lap()
        let objective = share == 1 ? loss.objective : loss.objective * share
        let values = GalaxyAutodiff.gradients(of: objective, wrt: model.parameters, profile: profile, ready: ready)
        return Gradients(meanSquaredError: mse, values: values)
    }

    /// The same for a batch (or one process's share of a batch) of the augmentation pipeline.
    public mutating func gradients(for batch: AugmentedBatch, share: Float = 1, times: inout Times, profile: BackwardProfile? = nil,
                                   ready: ((Int, Tensor) -> Void)? = nil) -> Gradients {
        let parts = Parts.stack(view0: batch.view0, view45: batch.view45, bands: batch.bands, backend: model.backend)
        let labels = Tensor(shape: [batch.indices.count, model.configuration.tree.outputCount], scalars: batch.labels, backend: model.backend)
        return gradients(parts: parts, labels: labels, slots: batch.slots, share: share, times: &times, profile: profile, ready: ready)
    }

    /// The optimizer step with `gradients` (in `parameterPaths` order), max-norm, the average, and
    /// the count. The average is folded into the optimiser's pass over the weights except after
    /// max-norm, which has to come between them.
    public mutating func apply(_ gradients: [Tensor], times: inout Times) {
        let start = DispatchTime.now().uptimeNanoseconds
        if step == options.warmUpSteps && options.warmUpSteps > 0 { optimizer.reset() }  // the normalised phase starts at rest
        optimizer.learningRate = options.learningRate(at: step)
        if options.maxNormEvery > 0 && (step + 1) % options.maxNormEvery == 0 {
            optimizer.update(&model, gradients: gradients)
            model.applyMaxNorm()
            average?.update(from: model)
        } else {
            optimizer.update(&model, gradients: gradients, average: &average)
        }
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

    /// The optimiser's state by name, for a checkpoint (empty before the first update of a phase).
    public var namedOptimizerState: [(name: String, tensor: Tensor)] {
        optimizer.namedState(parameterNames: model.parameterPaths.map(\.name))
    }

    /// Continues from a checkpoint: its weights, optimiser state, average and update count.
    public mutating func restore(_ checkpoint: RunFolder.Checkpoint, run: RunFolder) throws {
        let state = checkpoint.state
        guard (0...options.steps).contains(state.step), (0...state.step).contains(state.optimizerUpdates ?? 0) else {
            throw CheckpointError(file: run.stateFile, reason: "step \(state.step) (optimiser updates \(state.optimizerUpdates.map(String.init) ?? "n/a")) "
                                  + "is outside this run's 0…\(options.steps) steps; restore the checkpoint from a backup")
        }
        try model.load(checkpoint.weights, file: run.weightsFile)
        step = state.step
        let names = model.parameterPaths.map(\.name)
        // Checkpoints from before the count was stored: updates since the phase began.
        let phaseStart = options.warmUpSteps > 0 && step >= options.warmUpSteps ? options.warmUpSteps : 0
        do {
            try optimizer.restore(Dictionary(checkpoint.optimizerState.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a }),
                                  parameterNames: names, updates: checkpoint.state.optimizerUpdates ?? step - phaseStart)
        } catch { throw CheckpointError(file: run.optimizerFile, reason: "\(error)") }
        if average != nil {
            guard let saved = checkpoint.average else {
                throw CheckpointError(file: run.averageFile, reason: "the run keeps an average of the weights but the checkpoint has none")
            }
            var averaged = model
            try averaged.load(saved, file: run.averageFile)
            average?.restore(averaged.parameters.map(\.value), updates: step)
        }
    }
}
