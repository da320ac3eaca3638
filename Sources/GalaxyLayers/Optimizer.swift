import GalaxyTensor
import GalaxyAutodiff

/// Something that updates a model's parameters from their gradients (`SGD`, `AdamW`), with
/// state a checkpoint can hold and give back.
///
/// State tensors are named after the parameters they belong to (`conv1.weight` for a velocity,
/// `m.conv1.weight`/`v.conv1.weight` for Adam's moments), so a checkpoint is readable on its
/// own and survives a change in parameter order.
public protocol Optimizer: Sendable {
    /// The step size of the next update (schedules set it before each one).
    var learningRate: Float { get set }
    /// Updates applied since the optimiser started or was last reset.
    var updates: Int { get }
    /// Learning-rate multipliers by layer (the parameter name without its last component:
    /// `conv.0` for `conv.0.weight`, `output` for `output.bias`): 0 freezes a
    /// layer (it is not updated and keeps no state change), a fraction slows it (finetuning's
    /// layer-wise decay). Layers not named move at the full rate.
    var layerScales: [String: Float] { get set }
    /// Applies one update to every parameter of `model`, given gradients in `parameterPaths` order,
    /// and folds the new weights into `average` when one is given — in the update's own pass over
    /// each weight (`AveragedUpdate`), so the weights are read once.
    mutating func update<Model: Layer>(_ model: inout Model, gradients: [Tensor], average: inout WeightAverage?)
    /// Forgets all accumulated state (a new phase starts at rest).
    mutating func reset()
    /// The state for a checkpoint; `names` are the parameter names in `parameterPaths` order.
    /// Empty before the first update.
    func namedState(parameterNames names: [String]) -> [(name: String, tensor: Tensor)]
    /// Continues from `state` (as `namedState` wrote it) after `updates` updates.
    mutating func restore(_ state: [String: Tensor], parameterNames names: [String], updates: Int) throws
}

/// A checkpoint's optimiser state lacks a tensor the optimiser needs.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let missing: String
    public var description: String { "no optimiser state for \(missing)" }
}

extension Optimizer {
    /// The state tensors named `names` (each `prefix` + a parameter name), or an error naming
    /// the first one missing. An empty `state` means "before the first update": no tensors.
    static func tensors(_ state: [String: Tensor], _ names: [String], prefix: String = "") throws -> [Tensor] {
        if state.isEmpty { return [] }
        return try names.map { name in
            guard let t = state[prefix + name] else { throw OptimizerStateError(missing: prefix + name) }
            return t
        }
    }

    /// One zero tensor per parameter of `model`, on its backend (state before the first update).
    static func zeros<Model: Layer>(like model: Model) -> [Tensor] {
        model.parameters.map { Tensor(zeros: $0.value.shape, backend: $0.value.backend) }
    }

    /// The learning-rate multiplier of parameter `name` (`layerScales` by its layer).
    func scale(of name: String) -> Float {
        guard !layerScales.isEmpty else { return 1 }
        return layerScales[name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name] ?? 1
    }

    /// Applies one update from plain gradients, with no average.
    public mutating func update<Model: Layer>(_ model: inout Model, gradients: [Tensor]) {
        var none: WeightAverage? = nil
        update(&model, gradients: gradients, average: &none)
    }

    /// The average's step of this update (counting it), or nil without an average.
    static func averageStep(_ average: inout WeightAverage?, parameterCount: Int) -> MovingAverageUpdate? {
        guard average != nil else { return nil }
        require(average!.averages.count == parameterCount, "update: \(average!.averages.count) averages for \(parameterCount) parameters")
        return average!.nextStep()
    }

    /// A frozen parameter (layer scale 0) is not updated, but with an average its average still
    /// takes this update's step, as every other parameter's does.
    static func holdFrozen(_ value: Tensor, at i: Int, average: inout WeightAverage?, step: MovingAverageUpdate?) {
        guard let step else { return }
        value.backend.run(step, updating: &average!.averages[i], reading: value)
    }

    /// Checks the gradients against the model before an update.
    static func check<Model: Layer>(_ model: Model, _ gradients: [Tensor], _ who: String) {
        let paths = model.parameterPaths
        require(gradients.count == paths.count, "\(who): \(gradients.count) gradients for \(paths.count) parameters")
        for (g, path) in zip(gradients, paths) {
            require(g.shape == model[keyPath: path.keyPath].shape,
                    "\(who): gradient of \(path.name) has shape \(g.shape), parameter \(model[keyPath: path.keyPath].shape)")
        }
    }
}
