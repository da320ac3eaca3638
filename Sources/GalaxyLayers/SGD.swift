import GalaxyTensor
import GalaxyAutodiff

/// Stochastic gradient descent with (Nesterov) momentum, no weight decay:
/// v ← μ·v − η·g; w ← w + μ·v − η·g (Nesterov, as the winning solution) or w ← w + v.
///
/// The update of each parameter is one fused pass of its backend (`SGDUpdate`) and
/// happens in place; velocities are allocated once, on the first step.
public struct SGD: Optimizer {
    public var learningRate: Float
    public let momentum: Float
    public let nesterov: Bool
    /// One buffer per parameter, in `parameterPaths` order (empty before the first step).
    public var velocities: [Tensor]
    public private(set) var updates = 0
    public var layerScales: [String: Float] = [:]

    public init(learningRate: Float, momentum: Float = 0.9, nesterov: Bool = true) {
        require(learningRate > 0 && momentum >= 0 && momentum < 1,
                     "SGD: learning rate \(learningRate) must be positive and momentum \(momentum) in [0, 1)")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = []
    }

    public mutating func update<Model: Layer>(_ model: inout Model, gradients: [Tensor], average: inout WeightAverage?) {
        Self.check(model, gradients, "SGD")
        if velocities.isEmpty { velocities = Self.zeros(like: model) }
        let averageStep = Self.averageStep(&average, parameterCount: gradients.count)
        for (i, path) in model.parameterPaths.enumerated() {
            let scale = scale(of: path.name), backend = model[keyPath: path.keyPath].backend
            let step = SGDUpdate(learningRate: learningRate * scale, momentum: momentum, nesterov: nesterov)
            if scale == 0 {
                Self.holdFrozen(model[keyPath: path.keyPath].value, at: i, average: &average, step: averageStep)
            } else if let averageStep {
                model.withParameterValue(at: path) {
                    backend.run(AveragedUpdate(step, average: averageStep), updating: &$0, &velocities[i], &average!.averages[i], reading: gradients[i])
                }
            } else {
                model.withParameterValue(at: path) { backend.run(step, updating: &$0, &velocities[i], reading: gradients[i]) }
            }
        }
        updates += 1
    }

    /// Forgets the momentum (the winning recipe starts the normalised phase with zero velocity).
    public mutating func reset() { velocities = []; updates = 0 }

    /// Velocities under the parameters' own names (the checkpoint format since the first release).
    public func namedState(parameterNames names: [String]) -> [(name: String, tensor: Tensor)] {
        velocities.isEmpty ? [] : Array(zip(names, velocities))
    }

    public mutating func restore(_ state: [String: Tensor], parameterNames names: [String], updates: Int) throws {
        velocities = try Self.tensors(state, names)
        self.updates = updates
    }
}
