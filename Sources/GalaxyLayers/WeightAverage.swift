import GalaxyTensor
import GalaxyAutodiff

/// An exponential moving average of a model's parameters (Polyak averaging as in Polyak &
/// Juditsky 1992, in its exponential form): a ← a + (1 − d)·(w − a) after every update.
///
/// Early on the decay is min(d, (1 + t)/(10 + t)) for update t (as TensorFlow's
/// `ExponentialMovingAverage` with `num_updates`), so the average follows the fast-moving first
/// weights instead of remembering the random initialisation for ~1/(1 − d) updates.
public struct WeightAverage: Sendable {
    public let decay: Float
    /// One average per parameter, in `parameterPaths` order.
    public internal(set) var averages: [Tensor]
    public private(set) var updates: Int

    /// Starts the average at the model's current weights.
    public init<Model: Layer>(of model: Model, decay: Float) {
        require(decay > 0 && decay < 1, "WeightAverage: decay \(decay) must be in (0, 1)")
        self.decay = decay
        averages = model.parameters.map(\.value)  // copy-on-write: the first update makes them its own
        updates = 0
    }

    /// The decay used at update t (1, 2, …).
    public static func decay(_ decay: Float, atUpdate t: Int) -> Float { min(decay, Float(1 + t) / Float(10 + t)) }

    /// Folds the model's current weights into the average.
    public mutating func update<Model: Layer>(from model: Model) {
        let values = model.parameters.map(\.value)
        require(values.count == averages.count, "WeightAverage: \(values.count) parameters for \(averages.count) averages")
        let step = nextStep()
        for i in averages.indices { values[i].backend.run(step, updating: &averages[i], reading: values[i]) }
    }

    /// Counts an update and returns its step, for an optimiser that runs it on `averages` inside
    /// its own pass over the weights (`Optimizer.update(_:gradients:average:)`).
    mutating func nextStep() -> MovingAverageUpdate {
        updates += 1
        return MovingAverageUpdate(decay: Self.decay(decay, atUpdate: updates))
    }

    /// `model` with the averaged weights in place of its own.
    public func applied<Model: Layer>(to model: Model) -> Model {
        var copy = model
        copy.setParameterValues(averages)
        return copy
    }

    /// Continues from a checkpoint's averages (in `parameterPaths` order) after `updates` updates.
    public mutating func restore(_ averages: [Tensor], updates: Int) {
        require(averages.count == self.averages.count, "WeightAverage: \(averages.count) tensors for \(self.averages.count) parameters")
        self.averages = averages
        self.updates = updates
    }
}
