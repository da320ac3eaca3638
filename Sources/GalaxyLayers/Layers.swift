import GalaxyTensor
import GalaxyAutodiff

/// 2-D convolution (cross-correlation) of NCHW input, with tied or untied biases and an optional
/// activation; ReLU is fused into the kernel.
public struct Conv2D: Layer {
    public let name: String
    public var weight: Variable
    /// [out] for tied, [out, oh, ow] for untied, [0] (unused) for none.
    public var bias: Variable
    public let biasMode: BiasMode
    public let geometry: Convolution2DGeometry
    public let activation: Activation
    /// Input and output shape of one sample, fixed when the layer is built.
    public let inputShape: [Int], outputShape: [Int]

    /// - Parameter inputShape: [channels, height, width] of one sample.
    public init(_ name: String, inputShape: [Int], filters: Int, kernel: (height: Int, width: Int),
                geometry: Convolution2DGeometry = .valid(), biasMode: BiasMode = .tied, activation: Activation = .relu,
                initialization: Initialization, generator: inout SeededGenerator, backend: any Backend) {
        require(inputShape.count == 3 && inputShape.allSatisfy { $0 > 0 },
                     "Conv2D \(name): input shape must be [channels, height, width], got \(inputShape)")
        require(filters > 0 && kernel.height > 0 && kernel.width > 0,
                     "Conv2D \(name): filters \(filters) and kernel \(kernel.height)x\(kernel.width) must be positive")
        let (oh, ow) = geometry.outputSize(height: inputShape[1], width: inputShape[2], kernelHeight: kernel.height, kernelWidth: kernel.width)
        require(oh > 0 && ow > 0,
                     "Conv2D \(name): kernel \(kernel.height)x\(kernel.width) does not fit input \(inputShape) with \(geometry)")
        self.name = name
        self.biasMode = biasMode
        self.geometry = geometry
        self.activation = activation
        self.inputShape = inputShape
        self.outputShape = [filters, oh, ow]
        weight = Variable(parameter: Tensor.randomNormal(shape: [filters, inputShape[0], kernel.height, kernel.width],
                                                         standardDeviation: initialization.weightStandardDeviation,
                                                         generator: &generator, backend: backend))
        let biasShape: [Int] = switch biasMode {
        case .none: [0]
        case .tied: [filters]
        case .untied: [filters, oh, ow]
        }
        bias = Variable(parameter: Tensor(repeating: initialization.bias, shape: biasShape, backend: backend))
    }

    public var parameterPaths: [ParameterPath<Conv2D>] {
        biasMode == .none ? [.init("weight", \.weight)] : [.init("weight", \.weight), .init("bias", \.bias)]
    }

    public func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable {
        require(Array(input.shape.dropFirst()) == inputShape,
                     "Conv2D \(name): expected input [N] + \(inputShape), got \(input.shape)")
        let y = conv2d(input, weight: weight, bias: biasMode == .none ? nil : bias, biasMode: biasMode,
                       geometry: geometry, relu: activation == .relu)
        return activation == .relu ? y : activation.apply(y)
    }
}

/// Fully connected layer y = x·W + b on [N, in] input, with an optional activation.
public struct Dense: Layer {
    public let name: String
    /// [in, out]
    public var weight: Variable
    /// [out]
    public var bias: Variable
    public let activation: Activation

    public init(_ name: String, inputs: Int, outputs: Int, activation: Activation = .identity,
                initialization: Initialization, generator: inout SeededGenerator, backend: any Backend) {
        require(inputs > 0 && outputs > 0, "Dense \(name): inputs \(inputs) and outputs \(outputs) must be positive")
        self.name = name
        self.activation = activation
        weight = Variable(parameter: Tensor.randomNormal(shape: [inputs, outputs], standardDeviation: initialization.weightStandardDeviation,
                                                         generator: &generator, backend: backend))
        bias = Variable(parameter: Tensor(repeating: initialization.bias, shape: [outputs], backend: backend))
    }

    public var inputs: Int { weight.shape[0] }
    public var outputs: Int { weight.shape[1] }

    public var parameterPaths: [ParameterPath<Dense>] { [.init("weight", \.weight), .init("bias", \.bias)] }

    public func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable {
        require(input.shape.count == 2 && input.shape[1] == inputs,
                     "Dense \(name): expected input [N, \(inputs)], got \(input.shape)")
        return activation.apply(matmul(input, weight) + bias)
    }
}

/// Max over consecutive groups of `groupSize` features (a maxout nonlinearity after a Dense).
public struct Maxout: Layer {
    public let groupSize: Int
    public init(groupSize: Int) {
        require(groupSize > 0, "Maxout: group size must be positive, got \(groupSize)")
        self.groupSize = groupSize
    }
    public func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable { input.maxout(groupSize: groupSize) }
}

/// Inverted dropout: active in training only, masks drawn from the context's generator.
public struct Dropout: Layer {
    public let rate: Float
    public init(rate: Float) {
        require(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate
    }
    public func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable {
        guard context.exampleGenerators != nil else { return input.dropout(rate: rate, training: context.training, generator: &context.generator) }
        return input.dropout(rate: rate, training: context.training, examples: &context.exampleGenerators!)
    }
}

/// Max-pooling; overlapping when the window exceeds the stride.
public struct MaxPool2D: Layer {
    public let geometry: Pooling2DGeometry
    public init(_ geometry: Pooling2DGeometry) { self.geometry = geometry }
    public init(window: Int, stride: Int) { self.geometry = .init(window: window, stride: stride) }

    /// Output [channels, height, width] for an input of one sample.
    public func outputShape(for input: [Int]) -> [Int] {
        let (h, w) = geometry.outputSize(height: input[1], width: input[2])
        require(h > 0 && w > 0, "MaxPool2D: window \(geometry.windowY)x\(geometry.windowX) larger than input \(input)")
        return [input[0], h, w]
    }

    public func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable { input.maxPool2d(geometry) }
}

/// Cross-map local response normalisation.
public struct LocalResponseNorm: Layer {
    public let parameters: LocalResponseNormParameters
    public init(_ parameters: LocalResponseNormParameters = .init()) { self.parameters = parameters }
    public func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable { input.localResponseNorm(parameters) }
}

/// Rectified linear unit.
public struct ReLU: Layer {
    public init() {}
    public func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable { input.relu() }
}

/// Flattens every axis but the first: [N, …] → [N, features].
public struct Flatten: Layer {
    public init() {}
    public func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable { input.reshaped([input.shape[0], -1]) }
}
