import GalaxyTensor
import GalaxyAutodiff

/// Stochastic gradient descent with (Nesterov) momentum, no weight decay:
/// v ← μ·v − η·g; w ← w + μ·v − η·g (Nesterov, as the winning solution) or w ← w + v.
///
/// The update of each parameter is one fused pass of its backend (`Backend.sgdStep`) and
/// happens in place; velocities are allocated once, on the first step.
public struct SGD: Sendable {
    public var learningRate: Float
    public let momentum: Float
    public let nesterov: Bool
    /// One buffer per parameter, in `parameterPaths` order (empty before the first step).
    public var velocities: [Tensor]

    public init(learningRate: Float, momentum: Float = 0.9, nesterov: Bool = true) {
        require(learningRate > 0 && momentum >= 0 && momentum < 1,
                     "SGD: learning rate \(learningRate) must be positive and momentum \(momentum) in [0, 1)")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = []
    }

    /// Applies one step to every parameter of `model`, given gradients in `parameterPaths` order.
    public mutating func update<Model: Layer>(_ model: inout Model, gradients: [Tensor]) {
        let paths = model.parameterPaths
        require(gradients.count == paths.count, "SGD: \(gradients.count) gradients for \(paths.count) parameters")
        if velocities.isEmpty {
            velocities = paths.map { Tensor(zeros: model[keyPath: $0.keyPath].shape, backend: model[keyPath: $0.keyPath].backend) }
        }
        for (i, path) in paths.enumerated() {
            require(gradients[i].shape == velocities[i].shape,
                         "SGD: gradient of \(path.name) has shape \(gradients[i].shape), parameter \(velocities[i].shape)")
            let backend = model[keyPath: path.keyPath].backend
            backend.sgdStep(parameter: &model[keyPath: path.keyPath].value, velocity: &velocities[i], gradient: gradients[i],
                            learningRate: learningRate, momentum: momentum, nesterov: nesterov)
        }
    }

    /// Forgets the momentum (the winning recipe starts the normalised phase with zero velocity).
    public mutating func resetMomentum() { velocities = [] }
}
