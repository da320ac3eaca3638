#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The kernels that compute tensor ops: the tensor API says *what*, a backend says *how*.
///
/// Two CPU backends exist: `ReferenceBackend` (plain Swift loops, the definition of every op)
/// and the fast one in GalaxyKernels (oneDNN, OpenBLAS, SIMD). A new backend (a GPU one) slots in
/// by conforming to this protocol; layers and autodiff never ask which backend they run on.
/// Inputs arrive validated by the tensor API (shapes agree), so kernels only compute.
///
/// Only a backend touches tensor memory. Host values enter through `makeTensor` and leave
/// through `withHostScalars`; for a device backend these are the transfers, for the CPU
/// backends (`isHostMemory`) they read and write in place. No op has a default implementation:
/// a backend that runs some ops with another backend's kernels says so op by op.
///
/// All convolutions are cross-correlations (the filter is not flipped), as in cuda-convnet,
/// Theano's `conv2d` with `filter_flip=False`, oneDNN and PyTorch.
public protocol Backend: AnyObject, Sendable {
    /// Short name used on the command line (`reference`, `onednn`).
    var name: String { get }

    /// Whether this backend computes on ordinary host memory: host backends hand plain tensors
    /// to each other without a copy.
    var isHostMemory: Bool { get }

    /// Reorders a tensor in this backend's opaque layout into row-major order.
    func makePlain(_ x: Tensor) -> Tensor

    // Host transfers: the only way values enter or leave a backend.
    /// A tensor of `shape` holding `scalars` in row-major order.
    func makeTensor(shape: [Int], scalars: UnsafeBufferPointer<Float>) -> Tensor
    /// A tensor of `shape` with every element equal to `value`.
    func makeTensor(shape: [Int], repeating value: Float) -> Tensor
    /// Calls `body` with the elements of `x` (any layout of this backend) row-major in host
    /// memory: in place where the tensor already lives there, on a copy otherwise.
    func withHostScalars<R>(_ x: Tensor, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R

    // Elementwise.
    func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor
    func unary(_ operation: UnaryOperation, _ x: Tensor) -> Tensor
    /// dL/dx given x, y = op(x) and dL/dy.
    func unaryBackward(_ operation: UnaryOperation, input: Tensor, output: Tensor, outputGradient: Tensor) -> Tensor

    // Reductions and broadcasting.
    /// Sums over `axes`, keeping them with extent 1.
    func sum(_ x: Tensor, axes: [Int]) -> Tensor
    /// Repeats `x` along its extent-1 axes (after left-padding its rank) to `shape`.
    func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor

    /// C = op(A)·op(B) for rank-2 tensors; transposition is read in place, never copied.
    func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool) -> Tensor

    // Data movement.
    func permute(_ x: Tensor, axes: [Int]) -> Tensor
    func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor
    func concatenate(_ xs: [Tensor], axis: Int) -> Tensor
    /// Rotates the last two axes by `turns` × 90°, counter-clockwise as displayed (NumPy rot90).
    func rotate90(_ x: Tensor, turns: Int) -> Tensor
    /// Mirrors the last axis (left–right flip of an image).
    func flipHorizontal(_ x: Tensor) -> Tensor

    // Neural-network kernels.
    /// Max over consecutive groups of `groupSize` features of the last axis.
    func maxout(_ x: Tensor, groupSize: Int) -> Tensor
    func maxoutBackward(input: Tensor, groupSize: Int, outputGradient: Tensor) -> Tensor

    /// Row-wise log-softmax over the last axis of a rank-2 tensor.
    func logSoftmax(_ x: Tensor) -> Tensor
    func logSoftmaxBackward(output: Tensor, outputGradient: Tensor) -> Tensor

    /// Per-row negative log-likelihood of vote counts [rows, answers] under one
    /// Dirichlet-multinomial per question (`questions`: column ranges) with the given
    /// concentrations (> 0) → [rows]; `ReferenceBackend` holds the formula.
    func dirichletMultinomialLoss(concentrations: Tensor, counts: Tensor, questions: [Range<Int>]) -> Tensor
    func dirichletMultinomialLossBackward(concentrations: Tensor, counts: Tensor, questions: [Range<Int>], outputGradient: Tensor) -> Tensor

    func conv2d(_ input: Tensor, weight: Tensor, bias: ConvolutionBias, geometry: Convolution2DGeometry, fuseReLU: Bool) -> Tensor
    func conv2dBackward(_ input: Tensor, weight: Tensor, bias: ConvolutionBias, geometry: Convolution2DGeometry,
                        fuseReLU: Bool, output: Tensor, outputGradient: Tensor,
                        needsInputGradient: Bool) -> Convolution2DGradients

    func maxPool2d(_ input: Tensor, geometry: Pooling2DGeometry) -> PoolingResult
    func maxPool2dBackward(_ input: Tensor, geometry: Pooling2DGeometry, result: PoolingResult, outputGradient: Tensor) -> Tensor

    func localResponseNorm(_ input: Tensor, parameters: LocalResponseNormParameters) -> PoolingResult
    func localResponseNormBackward(_ input: Tensor, parameters: LocalResponseNormParameters,
                                   result: PoolingResult, outputGradient: Tensor) -> Tensor

    // Fused elementwise programs (optimiser updates, weight averages: declared where they are used).
    /// One pass of `program` over every element: the first `stateCount` of `s0`…`s3` (each the
    /// input's size) updated in place from `input`; the others are not touched.
    func run<P: ElementwiseProgram>(_ program: P, updating s0: inout Tensor, _ s1: inout Tensor, _ s2: inout Tensor, _ s3: inout Tensor,
                                    reading input: Tensor)
    /// Max-norm on a dense weight [inputs, units]: each unit's incoming weights (a column) are
    /// scaled by min(limit / RMS(column), 1), in place.
    func maxNormColumns(_ weight: inout Tensor, limit: Float)
}

/// A backend that computes on ordinary host memory (the CPU backends). Conforming gives it the
/// host transfers, which read and write in place: pooled host buffers in, the buffer itself out.
public protocol HostMemoryBackend: Backend {}

extension HostMemoryBackend {
    public var isHostMemory: Bool { true }

    public func makeTensor(shape: [Int], scalars: UnsafeBufferPointer<Float>) -> Tensor {
        let storage = TensorStorage(uninitializedCount: scalars.count)
        if let base = scalars.baseAddress { storage.pointer.update(from: base, count: scalars.count) }
        return Tensor(shape: shape, storage: storage, backend: self)
    }

    public func makeTensor(shape: [Int], repeating value: Float) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(count: shape.reduce(1, *), repeating: value), backend: self)
    }

    public func withHostScalars<R>(_ x: Tensor, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try x.plain.withUnsafeBufferPointer(body)
    }
}

/// Elementwise binary operations (NumPy broadcasting).
public enum BinaryOperation: Sendable, Hashable {
    case add, subtract, multiply, divide

    @inline(__always) public func apply(_ a: Float, _ b: Float) -> Float {
        switch self {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        }
    }
}

/// Elementwise unary operations, each with its derivative beside it.
public enum UnaryOperation: Sendable, Hashable {
    case relu
    case negate
    case exp
    case log
    case tanh
    /// 1 / (1 + e^−x).
    case sigmoid
    case square
    case squareRoot
    case addScalar(Float)
    case multiplyScalar(Float)
    /// x^p for a constant p (x > 0 where p is not an integer).
    case power(Float)
    /// min(max(x, low), high); the gradient is 1 strictly inside (low, high), 0 outside.
    case clip(low: Float, high: Float)

    @inline(__always) public func apply(_ x: Float) -> Float {
        switch self {
        case .relu: x > 0 ? x : 0
        case .negate: -x
        case .exp: Foundationless.exp(x)
        case .log: Foundationless.log(x)
        case .tanh: Foundationless.tanh(x)
        case .sigmoid: 1 / (1 + Foundationless.exp(-x))
        case .square: x * x
        case .squareRoot: x.squareRoot()
        case .addScalar(let s): x + s
        case .multiplyScalar(let s): x * s
        case .power(let p): Foundationless.pow(x, p)
        case .clip(let low, let high): min(max(x, low), high)
        }
    }

    /// dy/dx at input x with output y = apply(x).
    @inline(__always) public func derivative(input x: Float, output y: Float) -> Float {
        switch self {
        case .relu: x > 0 ? 1 : 0
        case .negate: -1
        case .exp: y
        case .log: 1 / x
        case .tanh: 1 - y * y
        case .sigmoid: y * (1 - y)
        case .square: 2 * x
        case .squareRoot: 0.5 / y
        case .addScalar: 1
        case .multiplyScalar(let s): s
        case .power(let p): p * Foundationless.pow(x, p - 1)
        case .clip(let low, let high): (x > low && x < high) ? 1 : 0
        }
    }
}

/// libm without Foundation.
enum Foundationless {
    @inline(__always) static func exp(_ x: Float) -> Float { expf(x) }
    @inline(__always) static func log(_ x: Float) -> Float { logf(x) }
    @inline(__always) static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inline(__always) static func pow(_ x: Float, _ p: Float) -> Float { powf(x, p) }
}

/// The bias of a convolution: none, one per output channel ("tied"), or one per output channel
/// and output position ("untied", shape [C, H, W]; the winning Galaxy Zoo net used these).
public enum ConvolutionBias: Sendable {
    case none
    case tied(Tensor)
    case untied(Tensor)

    public var tensor: Tensor? {
        switch self {
        case .none: nil
        case .tied(let t), .untied(let t): t
        }
    }
}

/// Stride and zero padding of a 2-D convolution.
public struct Convolution2DGeometry: Hashable, Sendable {
    public var strideY: Int, strideX: Int
    public var padTop: Int, padBottom: Int, padLeft: Int, padRight: Int

    public init(strideY: Int = 1, strideX: Int = 1, padTop: Int = 0, padBottom: Int = 0, padLeft: Int = 0, padRight: Int = 0) {
        require(strideY > 0 && strideX > 0, "Convolution2DGeometry: strides must be positive, got (\(strideY), \(strideX))")
        require([padTop, padBottom, padLeft, padRight].allSatisfy { $0 >= 0 }, "Convolution2DGeometry: negative padding")
        self.strideY = strideY; self.strideX = strideX
        self.padTop = padTop; self.padBottom = padBottom; self.padLeft = padLeft; self.padRight = padRight
    }

    /// No padding: the output shrinks by kernel − 1.
    public static func valid(stride: Int = 1) -> Self { .init(strideY: stride, strideX: stride) }
    /// Padding that keeps the size at stride 1 (extra pixel, if any, at the bottom/right).
    public static func same(kernelHeight: Int, kernelWidth: Int, stride: Int = 1) -> Self {
        .init(strideY: stride, strideX: stride, padTop: (kernelHeight - 1) / 2, padBottom: kernelHeight / 2,
              padLeft: (kernelWidth - 1) / 2, padRight: kernelWidth / 2)
    }
    /// "Full" convolution: every overlap of filter and image, the output grows by kernel − 1.
    public static func full(kernelHeight: Int, kernelWidth: Int, stride: Int = 1) -> Self {
        .init(strideY: stride, strideX: stride, padTop: kernelHeight - 1, padBottom: kernelHeight - 1,
              padLeft: kernelWidth - 1, padRight: kernelWidth - 1)
    }

    /// Output height and width for an input and kernel size.
    public func outputSize(height: Int, width: Int, kernelHeight: Int, kernelWidth: Int) -> (height: Int, width: Int) {
        ((height + padTop + padBottom - kernelHeight) / strideY + 1, (width + padLeft + padRight - kernelWidth) / strideX + 1)
    }
}

/// Gradients of a convolution with respect to its operands.
public struct Convolution2DGradients: Sendable {
    public var input: Tensor?
    public var weight: Tensor
    public var bias: Tensor?
    public init(input: Tensor?, weight: Tensor, bias: Tensor?) { self.input = input; self.weight = weight; self.bias = bias }
}

/// Window, stride and zero padding of a 2-D pooling; a window larger than the stride overlaps.
public struct Pooling2DGeometry: Hashable, Sendable {
    public var windowY: Int, windowX: Int, strideY: Int, strideX: Int
    public var padTop: Int, padBottom: Int, padLeft: Int, padRight: Int

    public init(windowY: Int, windowX: Int, strideY: Int, strideX: Int, padTop: Int = 0, padBottom: Int = 0, padLeft: Int = 0, padRight: Int = 0) {
        require(windowY > 0 && windowX > 0 && strideY > 0 && strideX > 0,
                     "Pooling2DGeometry: window (\(windowY), \(windowX)) and stride (\(strideY), \(strideX)) must be positive")
        require(padTop < windowY && padBottom < windowY && padLeft < windowX && padRight < windowX,
                     "Pooling2DGeometry: padding must be smaller than the window")
        self.windowY = windowY; self.windowX = windowX; self.strideY = strideY; self.strideX = strideX
        self.padTop = padTop; self.padBottom = padBottom; self.padLeft = padLeft; self.padRight = padRight
    }

    /// A square window with a square stride (stride = window gives non-overlapping pooling).
    public init(window: Int, stride: Int) { self.init(windowY: window, windowX: window, strideY: stride, strideX: stride) }

    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + padTop + padBottom - windowY) / strideY + 1, (width + padLeft + padRight - windowX) / strideX + 1)
    }
}

/// Output of a pooling or normalisation kernel plus whatever the backend keeps for backward.
public struct PoolingResult: Sendable {
    public var output: Tensor
    /// Backend-private state for the backward pass (oneDNN's workspace); nil for the reference.
    public var workspace: Tensor?
    public init(output: Tensor, workspace: Tensor? = nil) { self.output = output; self.workspace = workspace }
}

/// Cross-map (across channels) local response normalisation, as in AlexNet and cuda-convnet:
/// y_c = x_c / (k + (alpha / size) · Σ_{c' in window(c)} x_{c'}²)^beta, the window being the
/// `size` channels centred on c (size odd) and clipped at the ends. Note alpha is divided by
/// the size (oneDNN's and Caffe's convention).
public struct LocalResponseNormParameters: Hashable, Sendable {
    public var size: Int, alpha: Float, beta: Float, k: Float
    public init(size: Int = 5, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 2) {
        require(size > 0 && size % 2 == 1, "LocalResponseNormParameters: size must be odd and positive, got \(size)")
        self.size = size; self.alpha = alpha; self.beta = beta; self.k = k
    }
}
