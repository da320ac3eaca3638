import Synchronization
import GalaxyTensor

/// A backend that behaves like a GPU as far as the rest of the code can tell: every tensor it
/// makes lives in its own arena, which host code cannot read (`TensorStorage.pointer` stops the
/// process), and values cross only through `makeTensor` and `withHostScalars`, which it counts.
/// Each op copies its operands out of the arena, runs the reference loop and copies the result
/// back, so its numbers are the reference backend's exactly: any difference, or any crash, means
/// some code outside a backend reached into tensor memory.
public final class SimulatedDeviceBackend: Backend, DeviceArena, @unchecked Sendable {
    public var name: String { "simulated-device" }
    public var isHostMemory: Bool { false }
    private let host = ReferenceBackend.shared
    private let counts = Mutex((uploads: 0, downloads: 0))

    public init() {}

    /// Transfers so far, host → device and device → host.
    public var transfers: (uploads: Int, downloads: Int) { counts.withLock { $0 } }

    // MARK: Transfers

    public func makeTensor(shape: [Int], scalars: UnsafeBufferPointer<Float>) -> Tensor {
        counts.withLock { $0.uploads += 1 }
        let storage = TensorStorage(uninitializedCount: scalars.count, arena: self)
        if let base = scalars.baseAddress { storage.deviceMemory(owner: self).update(from: base, count: scalars.count) }
        return Tensor(shape: shape, storage: storage, backend: self)
    }

    public func makeTensor(shape: [Int], repeating value: Float) -> Tensor {
        let values = [Float](repeating: value, count: shape.reduce(1, *))
        return values.withUnsafeBufferPointer { makeTensor(shape: shape, scalars: $0) }
    }

    public func withHostScalars<R>(_ x: Tensor, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        counts.withLock { $0.downloads += 1 }
        require(x.layout == nil, "simulated-device: tensors have no opaque layouts here")
        let copy = Array(UnsafeBufferPointer(start: x.storage.deviceMemory(owner: self), count: x.count))
        return try copy.withUnsafeBufferPointer(body)
    }

    /// A device tensor as a reference-backend tensor (the device → host copy before a kernel).
    private func onHost(_ x: Tensor) -> Tensor { withHostScalars(x) { host.makeTensor(shape: x.shape, scalars: $0) } }
    /// A reference-backend result as a device tensor.
    private func onDevice(_ x: Tensor) -> Tensor { x.plain.withUnsafeBufferPointer { makeTensor(shape: x.shape, scalars: $0) } }
    private func onHost(_ bias: ConvolutionBias) -> ConvolutionBias {
        switch bias {
        case .none: .none
        case .tied(let t): .tied(onHost(t))
        case .untied(let t): .untied(onHost(t))
        }
    }
    private func onHost(_ r: PoolingResult) -> PoolingResult { PoolingResult(output: onHost(r.output), workspace: r.workspace.map(onHost)) }
    private func onDevice(_ r: PoolingResult) -> PoolingResult { PoolingResult(output: onDevice(r.output), workspace: r.workspace.map(onDevice)) }

    public func makePlain(_ x: Tensor) -> Tensor { x }

    // MARK: Ops: device → host, the reference loop, host → device

    public func binary(_ op: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor { onDevice(host.binary(op, onHost(a), onHost(b))) }
    public func unary(_ op: UnaryOperation, _ x: Tensor) -> Tensor { onDevice(host.unary(op, onHost(x))) }
    public func unaryBackward(_ op: UnaryOperation, input: Tensor, output: Tensor, outputGradient: Tensor) -> Tensor {
        onDevice(host.unaryBackward(op, input: onHost(input), output: onHost(output), outputGradient: onHost(outputGradient)))
    }
    public func sum(_ x: Tensor, axes: [Int]) -> Tensor { onDevice(host.sum(onHost(x), axes: axes)) }
    public func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor { onDevice(host.broadcast(onHost(x), to: shape)) }
    public func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool) -> Tensor {
        onDevice(host.matmul(onHost(a), transposeA: transposeA, onHost(b), transposeB: transposeB))
    }
    public func permute(_ x: Tensor, axes: [Int]) -> Tensor { onDevice(host.permute(onHost(x), axes: axes)) }
    public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor { onDevice(host.slice(onHost(x), axis: axis, range: range)) }
    public func concatenate(_ xs: [Tensor], axis: Int) -> Tensor { onDevice(host.concatenate(xs.map(onHost), axis: axis)) }
    public func rotate90(_ x: Tensor, turns: Int) -> Tensor { onDevice(host.rotate90(onHost(x), turns: turns)) }
    public func flipHorizontal(_ x: Tensor) -> Tensor { onDevice(host.flipHorizontal(onHost(x))) }
    public func maxout(_ x: Tensor, groupSize: Int) -> Tensor { onDevice(host.maxout(onHost(x), groupSize: groupSize)) }
    public func maxoutBackward(input: Tensor, groupSize: Int, outputGradient: Tensor) -> Tensor {
        onDevice(host.maxoutBackward(input: onHost(input), groupSize: groupSize, outputGradient: onHost(outputGradient)))
    }
    public func logSoftmax(_ x: Tensor) -> Tensor { onDevice(host.logSoftmax(onHost(x))) }
    public func dirichletMultinomialLoss(concentrations: Tensor, counts: Tensor, questions: [Range<Int>]) -> Tensor {
        onDevice(host.dirichletMultinomialLoss(concentrations: onHost(concentrations), counts: onHost(counts), questions: questions))
    }
    public func dirichletMultinomialLossBackward(concentrations: Tensor, counts: Tensor, questions: [Range<Int>], outputGradient: Tensor) -> Tensor {
        onDevice(host.dirichletMultinomialLossBackward(concentrations: onHost(concentrations), counts: onHost(counts), questions: questions,
                                                       outputGradient: onHost(outputGradient)))
    }
    public func logSoftmaxBackward(output: Tensor, outputGradient: Tensor) -> Tensor {
        onDevice(host.logSoftmaxBackward(output: onHost(output), outputGradient: onHost(outputGradient)))
    }

    public func conv2d(_ input: Tensor, weight: Tensor, bias: ConvolutionBias, geometry: Convolution2DGeometry, fuseReLU: Bool) -> Tensor {
        onDevice(host.conv2d(onHost(input), weight: onHost(weight), bias: onHost(bias), geometry: geometry, fuseReLU: fuseReLU))
    }
    public func conv2dBackward(_ input: Tensor, weight: Tensor, bias: ConvolutionBias, geometry: Convolution2DGeometry,
                               fuseReLU: Bool, output: Tensor, outputGradient: Tensor, needsInputGradient: Bool) -> Convolution2DGradients {
        let g = host.conv2dBackward(onHost(input), weight: onHost(weight), bias: onHost(bias), geometry: geometry, fuseReLU: fuseReLU,
                                    output: onHost(output), outputGradient: onHost(outputGradient), needsInputGradient: needsInputGradient)
        return Convolution2DGradients(input: g.input.map(onDevice), weight: onDevice(g.weight), bias: g.bias.map(onDevice))
    }

    public func maxPool2d(_ input: Tensor, geometry: Pooling2DGeometry) -> PoolingResult {
        onDevice(host.maxPool2d(onHost(input), geometry: geometry))
    }
    public func maxPool2dBackward(_ input: Tensor, geometry: Pooling2DGeometry, result: PoolingResult, outputGradient: Tensor) -> Tensor {
        onDevice(host.maxPool2dBackward(onHost(input), geometry: geometry, result: onHost(result), outputGradient: onHost(outputGradient)))
    }
    public func localResponseNorm(_ input: Tensor, parameters: LocalResponseNormParameters) -> PoolingResult {
        onDevice(host.localResponseNorm(onHost(input), parameters: parameters))
    }
    public func localResponseNormBackward(_ input: Tensor, parameters: LocalResponseNormParameters,
                                          result: PoolingResult, outputGradient: Tensor) -> Tensor {
        onDevice(host.localResponseNormBackward(onHost(input), parameters: parameters, result: onHost(result),
                                                outputGradient: onHost(outputGradient)))
    }

    public func run<P: ElementwiseProgram>(_ program: P, updating s0: inout Tensor, _ s1: inout Tensor, _ s2: inout Tensor, _ s3: inout Tensor,
                                           reading input: Tensor) {
        var a = onHost(s0), b = onHost(s1), c = onHost(s2), d = onHost(s3)
        host.run(program, updating: &a, &b, &c, &d, reading: onHost(input))
        s0 = onDevice(a)
        s1 = onDevice(b)
        s2 = onDevice(c)
        s3 = onDevice(d)
    }

    public func maxNormColumns(_ weight: inout Tensor, limit: Float) {
        var w = onHost(weight)
        host.maxNormColumns(&w, limit: limit)
        weight = onDevice(w)
    }
}
