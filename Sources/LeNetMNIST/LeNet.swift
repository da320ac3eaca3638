import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers

/// The options of the fast-convolution study, each exercised end to end in one model.
public struct LeNetConfiguration: Codable, Sendable, Hashable {
    public var filters1 = 32
    public var filters2 = 64
    public var kernel = 5
    public var hidden = 500
    public var hiddenActivation: Activation = .tanh
    /// Stride of both convolutions.
    public var convolutionStride = 1
    /// Zero-pad by kernel − 1 on every side ("full" convolution) instead of "valid".
    public var fullConvolution = false
    /// Pooling window and stride; window > stride overlaps (e.g. 3 and 2).
    public var poolWindow = 2
    public var poolStride = 2
    /// Cross-map local response normalisation after the first pooling.
    public var localResponseNorm = false

    public init() {}

    var geometry: Convolution2DGeometry {
        fullConvolution ? .full(kernelHeight: kernel, kernelWidth: kernel, stride: convolutionStride) : .valid(stride: convolutionStride)
    }

    /// A short description for reports ("valid, stride 1, pool 2/2").
    public var summary: String {
        "\(fullConvolution ? "full" : "valid") conv stride \(convolutionStride), pool \(poolWindow)/\(poolStride)"
            + (localResponseNorm ? ", LRN" : "") + ", dense \(hidden) \(hiddenActivation.rawValue)"
    }
}

/// LeNet for 28×28 digits: conv 5×5/32 → max-pool → conv 5×5/64 → max-pool → dense 500 → 10-way
/// softmax (the model of the 2014 fast-convolution write-up), with ReLU after each convolution.
public struct LeNet: Layer {
    public var conv1: Conv2D
    public let pool1: MaxPool2D
    public let normalisation: LocalResponseNorm?
    public var conv2: Conv2D
    public let pool2: MaxPool2D
    public var hidden: Dense
    public var output: Dense

    public init(_ c: LeNetConfiguration, generator: inout SeededGenerator, backend: any Backend) {
        func he(_ fanIn: Int) -> Initialization { .init(weightStandardDeviation: (2 / Float(fanIn)).squareRoot(), bias: 0) }
        conv1 = Conv2D("conv1", inputShape: [1, 28, 28], filters: c.filters1, kernel: (c.kernel, c.kernel), geometry: c.geometry,
                       initialization: he(c.kernel * c.kernel), generator: &generator, backend: backend)
        pool1 = MaxPool2D(window: c.poolWindow, stride: c.poolStride)
        normalisation = c.localResponseNorm ? LocalResponseNorm(.init(size: 5, alpha: 1e-4, beta: 0.75, k: 2)) : nil
        let shape1 = pool1.outputShape(for: conv1.outputShape)
        conv2 = Conv2D("conv2", inputShape: shape1, filters: c.filters2, kernel: (c.kernel, c.kernel), geometry: c.geometry,
                       initialization: he(c.filters1 * c.kernel * c.kernel), generator: &generator, backend: backend)
        pool2 = MaxPool2D(window: c.poolWindow, stride: c.poolStride)
        let features = pool2.outputShape(for: conv2.outputShape).reduce(1, *)
        let hiddenInit = c.hiddenActivation == .relu ? he(features) : .init(weightStandardDeviation: (1 / Float(features)).squareRoot(), bias: 0)
        hidden = Dense("hidden", inputs: features, outputs: c.hidden, activation: c.hiddenActivation,
                       initialization: hiddenInit, generator: &generator, backend: backend)
        output = Dense("output", inputs: c.hidden, outputs: 10,
                       initialization: .init(weightStandardDeviation: (1 / Float(c.hidden)).squareRoot(), bias: 0),
                       generator: &generator, backend: backend)
    }

    public var parameterPaths: [ParameterPath<LeNet>] {
        nested("conv1", \.conv1) + nested("conv2", \.conv2) + nested("hidden", \.hidden) + nested("output", \.output)
    }

    /// Class scores (logits) [N, 10] for images [N, 1, 28, 28].
    public func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable {
        var x = pool1(conv1(input, &context), &context)
        if let normalisation { x = normalisation(x, &context) }
        x = pool2(conv2(x, &context), &context)
        return output(hidden(Flatten()(x, &context), &context), &context)
    }
}
