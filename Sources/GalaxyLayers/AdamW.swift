import GalaxyTensor
import GalaxyAutodiff

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019): per-parameter step sizes from
/// running moments of the gradient, bias-corrected, and w ← w − η·λ·w applied to weights only
/// (parameters named `…weight`; biases are not decayed).
///
/// Each parameter's update is one fused pass of its backend over the elementwise program
/// `AdamWParameters` (defined element by element in its `apply`).
public struct AdamW: Optimizer {
    public var learningRate: Float
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// First and second moments, one per parameter in `parameterPaths` order (empty before the first step).
    public var firstMoments: [Tensor] = [], secondMoments: [Tensor] = []
    public private(set) var updates = 0
    public var layerScales: [String: Float] = [:]

    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
        require(learningRate > 0 && (0..<1).contains(beta1) && (0..<1).contains(beta2) && epsilon > 0 && weightDecay >= 0,
                "AdamW: learning rate \(learningRate) and ε \(epsilon) must be positive, β₁ \(beta1) and β₂ \(beta2) in [0, 1), decay \(weightDecay) ≥ 0")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Whether the parameter called `name` is decayed.
    public static func isDecayed(_ name: String) -> Bool { name.hasSuffix("weight") }

    public mutating func update<Model: Layer>(_ model: inout Model, gradients: [Tensor], average: inout WeightAverage?) {
        Self.check(model, gradients, "AdamW")
        if firstMoments.isEmpty { firstMoments = Self.zeros(like: model); secondMoments = Self.zeros(like: model) }
        updates += 1
        let averageStep = Self.averageStep(&average, parameterCount: gradients.count)
        for (i, path) in model.parameterPaths.enumerated() {
            let scale = scale(of: path.name), backend = model[keyPath: path.keyPath].backend
            let p = AdamWParameters(learningRate: learningRate * scale, beta1: beta1, beta2: beta2, epsilon: epsilon,
                                    weightDecay: Self.isDecayed(path.name) ? weightDecay : 0, t: updates)
            if scale == 0 {
                Self.holdFrozen(model[keyPath: path.keyPath].value, at: i, average: &average, step: averageStep)
            } else if let averageStep {
                model.withParameterValue(at: path) {
                    backend.run(AveragedUpdate(p, average: averageStep), updating: &$0, &firstMoments[i], &secondMoments[i],
                                &average!.averages[i], reading: gradients[i])
                }
            } else {
                model.withParameterValue(at: path) {
                    backend.run(p, updating: &$0, &firstMoments[i], &secondMoments[i], reading: gradients[i])
                }
            }
        }
    }

    public mutating func reset() { firstMoments = []; secondMoments = []; updates = 0 }

    public func namedState(parameterNames names: [String]) -> [(name: String, tensor: Tensor)] {
        firstMoments.isEmpty ? [] : zip(names, firstMoments).map { ("m." + $0, $1) } + zip(names, secondMoments).map { ("v." + $0, $1) }
    }

    public mutating func restore(_ state: [String: Tensor], parameterNames names: [String], updates: Int) throws {
        firstMoments = try Self.tensors(state, names, prefix: "m.")
        secondMoments = try Self.tensors(state, names, prefix: "v.")
        self.updates = updates
    }
}
