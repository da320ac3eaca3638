import GalaxyTensor
import GalaxyAutodiff

/// Training/inference mode and the random stream, handed explicitly to every layer call.
/// Nothing about a forward pass depends on global state.
public struct ForwardContext: Sendable {
    /// Dropout is active only in training.
    public var training: Bool
    /// Source of dropout masks (and any other randomness in a forward pass).
    public var generator: SeededGenerator

    /// One dropout stream per example of the batch, when set: masks then depend only on the
    /// example (a data-parallel run splits a batch across processes and must draw the same masks).
    public var exampleGenerators: [SeededGenerator]?

    public init(training: Bool, generator: SeededGenerator, exampleGenerators: [SeededGenerator]? = nil) {
        self.training = training
        self.generator = generator
        self.exampleGenerators = exampleGenerators
    }

    /// Inference: no dropout; the generator is never drawn from.
    public static var inference: ForwardContext { ForwardContext(training: false, generator: SeededGenerator(seed: 0)) }
}

/// A named path from a model to one of its trainable variables.
public struct ParameterPath<Root>: @unchecked Sendable {
    public let name: String
    public let keyPath: WritableKeyPath<Root, Variable>
    public init(_ name: String, _ keyPath: WritableKeyPath<Root, Variable>) {
        self.name = name
        self.keyPath = keyPath
    }
}

/// A differentiable function with parameters: models are plain values built from layers.
///
/// A layer lists its own trainable variables (and its sub-layers') once, as named key paths;
/// optimisers, checkpoints and parameter counts enumerate them through `parameterPaths`, so no
/// trainer lists parameters by hand.
public protocol Layer {
    func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable
    /// Every trainable variable, named and in a stable order.
    var parameterPaths: [ParameterPath<Self>] { get }
}

extension Layer {
    public var parameterPaths: [ParameterPath<Self>] { [] }

    /// The paths of a sub-layer, prefixed with its name ("conv1.weight").
    public func nested<Child: Layer>(_ name: String, _ path: WritableKeyPath<Self, Child>) -> [ParameterPath<Self>] {
        self[keyPath: path].parameterPaths.map { ParameterPath("\(name).\($0.name)", path.appending(path: $0.keyPath)) }
    }

    /// The same for an array of sub-layers ("parts.3.weight").
    public func nested<Child: Layer>(_ name: String, _ path: WritableKeyPath<Self, [Child]>) -> [ParameterPath<Self>] {
        self[keyPath: path].indices.flatMap { i in
            self[keyPath: path][i].parameterPaths.map {
                ParameterPath("\(name).\(i).\($0.name)", path.appending(path: \[Child][i]).appending(path: $0.keyPath))
            }
        }
    }

    /// The trainable variables in `parameterPaths` order.
    public var parameters: [Variable] { parameterPaths.map { self[keyPath: $0.keyPath] } }

    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.map { $0.value.count }.reduce(0, +) }

    /// The same model with constants in place of parameters: inference records no graph.
    public func detached() -> Self {
        var copy = self
        for path in parameterPaths { copy[keyPath: path.keyPath] = self[keyPath: path.keyPath].detached }
        return copy
    }

    /// Runs `body` on the value of the parameter at `path`, in place. A key path through an
    /// array's subscript gets and sets the whole element rather than giving access in place, so
    /// an update through it would find the buffer shared with the element's copy and copy all of
    /// it (every update of the best model copied 170 MB): the value is taken out of the model
    /// first, updated as the only owner of its buffer, and put back.
    public mutating func withParameterValue<R>(at path: ParameterPath<Self>, _ body: (inout Tensor) -> R) -> R {
        var value = self[keyPath: path.keyPath].value
        self[keyPath: path.keyPath].value = Tensor(shape: [0], scalars: [], backend: value.backend)
        defer { self[keyPath: path.keyPath].value = value }
        return body(&value)
    }

    /// Replaces the parameters' values in `parameterPaths` order (fresh leaves, same names).
    public mutating func setParameterValues(_ values: [Tensor]) {
        let paths = parameterPaths
        require(values.count == paths.count, "setParameterValues: \(values.count) tensors for \(paths.count) parameters")
        for (path, value) in zip(paths, values) {
            let old = self[keyPath: path.keyPath].value
            require(old.shape == value.shape, "setParameterValues: \(path.name) has shape \(old.shape), got \(value.shape)")
            self[keyPath: path.keyPath] = Variable(parameter: value.on(old.backend))
        }
    }
}

/// Per-layer Gaussian initialisation: weights ~ N(0, std²), biases constant.
public struct Initialization: Sendable, Codable, Hashable {
    public var weightStandardDeviation: Float
    public var bias: Float
    public init(weightStandardDeviation: Float, bias: Float) {
        self.weightStandardDeviation = weightStandardDeviation
        self.bias = bias
    }
}

/// A nonlinearity applied by a layer to its output.
public enum Activation: String, Sendable, Codable, CaseIterable {
    case identity, relu, tanh

    func apply(_ x: Variable) -> Variable {
        switch self {
        case .identity: x
        case .relu: x.relu()
        case .tanh: x.tanh()
        }
    }
}
