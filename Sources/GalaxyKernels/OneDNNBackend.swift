import CDNNL
import COpenBLAS
import GalaxyTensor

/// The fast CPU backend: oneDNN for convolution, pooling and LRN (forward and both backward
/// passes), OpenBLAS sgemm for matrix products, SIMD and multithreaded elementwise kernels.
/// Ops it does not accelerate (data movement, maxout, softmax) are the reference loops it
/// inherits.
///
/// Convolution, pooling and LRN outputs stay in the layout oneDNN picked (typically nChw16c)
/// so that conv → pool → conv chains run without reorders; like cuda-convnet's c01b layout in
/// the original, the layout is an implementation detail and `Tensor.plain` restores NCHW.
/// Primitives are created once per shape and cached. ReLU is fused into the convolution as a
/// post-op for tied biases, and into the untied-bias pass otherwise.
public final class OneDNNBackend: ReferenceBackend, @unchecked Sendable {
    /// The shared instance; oneDNN primitives are cached in it.
    public static let sharedFast = OneDNNBackend()

    let context = DNNLContext()

    public override init() { super.init() }

    public override var name: String { "onednn" }

    /// Number of oneDNN primitives created so far (each shape once).
    public var cachedPrimitiveCount: Int { context.cachedPrimitiveCount }

    // MARK: Layout plumbing

    func descriptor(_ t: Tensor) -> MemoryDescriptor {
        if let layout = t.layout {
            guard let dnnl = layout as? DNNLLayout else { fatalError("onednn: foreign layout \(layout)") }
            return dnnl.descriptor
        }
        return MemoryDescriptor(shape: t.shape)
    }

    /// A tensor of `shape` stored as `md` (plain when `md` is row-major).
    func allocate(_ shape: [Int], _ md: MemoryDescriptor) -> Tensor {
        let storage = TensorStorage(uninitializedCount: (md.byteCount + 3) / 4)
        return Tensor(shape: shape, storage: storage, layout: md.isPlain ? nil : DNNLLayout(md), backend: self)
    }

    /// `t` laid out as `md`, reordering only when it is not already.
    func converted(_ t: Tensor, to md: MemoryDescriptor) -> Tensor {
        let current = descriptor(t)
        if current.key == md.key { return t }
        let result = allocate(t.shape, md)
        context.reorder(from: current, UnsafeMutableRawPointer(t.storage.pointer), to: md, UnsafeMutableRawPointer(result.storage.pointer))
        return result
    }

    public override func makePlain(_ x: Tensor) -> Tensor {
        x.layout == nil ? x : converted(x, to: MemoryDescriptor(shape: x.shape))
    }

    @inline(__always) func raw(_ t: Tensor) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(t.storage.pointer) }

    // MARK: Convolution

    private struct ConvolutionPrimitives {
        let forward: Primitive, backwardData: Primitive, backwardWeights: Primitive
    }

    private func convolutionPrimitives(input: [Int], weight: [Int], output: [Int], tiedBias: Bool, fuseReLU: Bool,
                                       geometry g: Convolution2DGeometry) -> ConvolutionPrimitives {
        let key = "conv \(input) \(weight) \(g) tied=\(tiedBias) relu=\(fuseReLU)"
        let strides: [Int64] = [Int64(g.strideY), Int64(g.strideX)]
        let padL: [Int64] = [Int64(g.padTop), Int64(g.padLeft)]
        // oneDNN wants the right/bottom padding that makes its output size formula exact.
        let padR: [Int64] = [Int64((output[2] - 1) * g.strideY + weight[2] - input[2] - g.padTop),
                             Int64((output[3] - 1) * g.strideX + weight[3] - input[3] - g.padLeft)]
        var src = MemoryDescriptor.any(input).raw, wts = MemoryDescriptor.any(weight).raw, dst = MemoryDescriptor.any(output).raw
        var bias = MemoryDescriptor(shape: [weight[0]]).raw
        let engine = context.engine
        let forward = context.primitive(key + " forward") {
            var desc = dnnl_convolution_desc_t()
            withUnsafePointer(to: &bias) { b in
                check(dnnl_convolution_forward_desc_init(&desc, dnnl_forward_training, dnnl_convolution_direct, &src, &wts,
                                                         tiedBias ? b : nil, &dst, strides, padL, padR), "convolution \(key)")
            }
            var attr: dnnl_primitive_attr_t?
            check(dnnl_primitive_attr_create(&attr), "attributes")
            defer { dnnl_primitive_attr_destroy(attr) }
            if fuseReLU {
                var ops: dnnl_post_ops_t?
                check(dnnl_post_ops_create(&ops), "post-ops")
                defer { dnnl_post_ops_destroy(ops) }
                check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), "ReLU post-op")
                check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post-ops")
            }
            var pd: dnnl_primitive_desc_t?
            check(dnnl_primitive_desc_create(&pd, &desc, attr, engine, nil), "convolution forward \(key)")
            return pd!
        }
        let backwardData = context.primitive(key + " backward data") {
            var desc = dnnl_convolution_desc_t()
            check(dnnl_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, &src, &wts, &dst, strides, padL, padR),
                  "convolution backward data \(key)")
            var pd: dnnl_primitive_desc_t?
            check(dnnl_primitive_desc_create(&pd, &desc, nil, engine, forward.descriptor), "convolution backward data \(key)")
            return pd!
        }
        let backwardWeights = context.primitive(key + " backward weights") {
            var desc = dnnl_convolution_desc_t()
            withUnsafePointer(to: &bias) { b in
                check(dnnl_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct, &src, &wts, tiedBias ? b : nil,
                                                                  &dst, strides, padL, padR), "convolution backward weights \(key)")
            }
            var pd: dnnl_primitive_desc_t?
            check(dnnl_primitive_desc_create(&pd, &desc, nil, engine, forward.descriptor), "convolution backward weights \(key)")
            return pd!
        }
        return ConvolutionPrimitives(forward: forward, backwardData: backwardData, backwardWeights: backwardWeights)
    }

    public override func conv2d(_ input: Tensor, weight: Tensor, bias: ConvolutionBias, geometry: Convolution2DGeometry, fuseReLU: Bool) -> Tensor {
        let outputShape = Tensor.conv2dOutputShape(input: input.shape, weight: weight.shape, bias: bias, geometry: geometry)
        let tied: Bool = if case .tied = bias { true } else { false }
        let untied: Bool = if case .untied = bias { true } else { false }
        let p = convolutionPrimitives(input: input.shape, weight: weight.shape, output: outputShape, tiedBias: tied,
                                      fuseReLU: fuseReLU && !untied, geometry: geometry)
        let x = converted(input, to: p.forward.memoryDescriptor(dnnl_query_src_md))
        let w = converted(weight.plain, to: p.forward.memoryDescriptor(dnnl_query_weights_md))
        let dstMD = p.forward.memoryDescriptor(dnnl_query_dst_md)
        var y = allocate(outputShape, dstMD)
        var arguments = [(GN_ARG_SRC, descriptor(x), raw(x)), (GN_ARG_WEIGHTS, descriptor(w), raw(w)), (GN_ARG_DST, dstMD, raw(y))]
        if case .tied(let b) = bias {
            let b = b.plain
            arguments.append((GN_ARG_BIAS, MemoryDescriptor(shape: b.shape), raw(b)))
        }
        context.execute(p.forward, arguments)
        if case .untied(let b) = bias { y = addUntiedBias(y, b, relu: fuseReLU) }
        return y
    }

    /// Adds a [C, H, W] bias to every sample of `y` (in y's own layout) and applies ReLU if asked,
    /// in one pass over the output.
    private func addUntiedBias(_ y: Tensor, _ bias: Tensor, relu: Bool) -> Tensor {
        var y = y
        var md = descriptor(y)
        guard let one = md.singleSample else {
            // A layout without sample-major order: fall back to plain NCHW.
            y = makePlain(y); md = descriptor(y)
            return addUntiedBias(y, bias, relu: relu)
        }
        let b = converted(bias.plain.reshaped([1] + bias.shape), to: one)
        let perSample = one.byteCount / 4, samples = y.shape[0]
        let pb = UnsafePointer(b.storage.pointer), py = y.storage.pointer
        Parallel.forChunks(count: samples * perSample) { range in
            var i = range.lowerBound
            while i < range.upperBound {
                let offset = i % perSample
                let end = min(range.upperBound, i - offset + perSample)
                let out = py + (i - offset)
                if relu {
                    Vector.zip(out, pb, out, offset..<(end - i + offset)) { max($0 + $1, 0) }
                } else {
                    Vector.zip(out, pb, out, offset..<(end - i + offset), +)
                }
                i = end
            }
        }
        return y
    }

    public override func conv2dBackward(_ input: Tensor, weight: Tensor, bias: ConvolutionBias, geometry: Convolution2DGeometry,
                                        fuseReLU: Bool, output: Tensor, outputGradient: Tensor,
                                        needsInputGradient: Bool) -> Convolution2DGradients {
        let tied: Bool = if case .tied = bias { true } else { false }
        let untied: Bool = if case .untied = bias { true } else { false }
        let p = convolutionPrimitives(input: input.shape, weight: weight.shape, output: output.shape, tiedBias: tied,
                                      fuseReLU: fuseReLU && !untied, geometry: geometry)
        // The gradient in the output's layout, masked by ReLU when it was fused.
        var dy = converted(outputGradient, to: descriptor(output))
        if fuseReLU {
            let masked = allocate(dy.shape, descriptor(dy))
            let py = UnsafePointer(output.storage.pointer), pg = UnsafePointer(dy.storage.pointer), pm = masked.storage.pointer
            Parallel.forChunks(count: descriptor(dy).byteCount / 4) { range in
                Vector.zip(py, pg, pm, range) { y, g in y > 0 ? g : 0 }
            }
            dy = masked
        }

        // Weights (and tied bias).
        let wp = p.backwardWeights
        let x = converted(input, to: wp.memoryDescriptor(dnnl_query_src_md))
        let dyW = converted(dy, to: wp.memoryDescriptor(dnnl_query_diff_dst_md))
        let dwMD = wp.memoryDescriptor(dnnl_query_diff_weights_md)
        let dw = allocate(weight.shape, dwMD)
        var arguments = [(GN_ARG_SRC, descriptor(x), raw(x)), (GN_ARG_DIFF_DST, descriptor(dyW), raw(dyW)), (GN_ARG_DIFF_WEIGHTS, dwMD, raw(dw))]
        var db: Tensor? = nil
        if tied {
            let b = Tensor(uninitialized: [weight.shape[0]], backend: self)
            arguments.append((GN_ARG_DIFF_BIAS, MemoryDescriptor(shape: b.shape), raw(b)))
            db = b
        }
        context.execute(wp, arguments)
        if untied { db = sumOverSamples(dy) }

        // Input.
        var dx: Tensor? = nil
        if needsInputGradient {
            let dp = p.backwardData
            let w = converted(weight.plain, to: dp.memoryDescriptor(dnnl_query_weights_md))
            let dyD = converted(dy, to: dp.memoryDescriptor(dnnl_query_diff_dst_md))
            let dxMD = dp.memoryDescriptor(dnnl_query_diff_src_md)
            let result = allocate(input.shape, dxMD)
            context.execute(dp, [(GN_ARG_DIFF_DST, descriptor(dyD), raw(dyD)), (GN_ARG_WEIGHTS, descriptor(w), raw(w)),
                                 (GN_ARG_DIFF_SRC, dxMD, raw(result))])
            dx = result
        }
        return Convolution2DGradients(input: dx, weight: makePlain(dw), bias: db)
    }

    /// Σ over the batch of a [N, C, H, W] tensor in any sample-major layout, as plain [C, H, W].
    private func sumOverSamples(_ t: Tensor) -> Tensor {
        let md = descriptor(t)
        guard let one = md.singleSample else { return sum(makePlain(t), axes: [0]).reshaped(Array(t.shape.dropFirst())) }
        let perSample = one.byteCount / 4
        let total = allocate([1] + t.shape.dropFirst(), one)
        let pt = UnsafePointer(t.storage.pointer), out = total.storage.pointer
        out.update(from: pt, count: perSample)
        for s in 1..<max(t.shape[0], 1) {
            Vector.zip(out, pt + s * perSample, out, 0..<perSample, +)
        }
        return makePlain(total).reshaped(Array(t.shape.dropFirst()))
    }

    // MARK: Pooling

    private func poolingPrimitives(_ inputMD: MemoryDescriptor, output: [Int], geometry g: Pooling2DGeometry) -> (Primitive, Primitive) {
        let key = "maxpool \(inputMD.key) \(g)"
        let input = inputMD.dims
        let strides: [Int64] = [Int64(g.strideY), Int64(g.strideX)], kernel: [Int64] = [Int64(g.windowY), Int64(g.windowX)]
        let padL: [Int64] = [Int64(g.padTop), Int64(g.padLeft)]
        let padR: [Int64] = [Int64((output[2] - 1) * g.strideY + g.windowY - input[2] - g.padTop),
                             Int64((output[3] - 1) * g.strideX + g.windowX - input[3] - g.padLeft)]
        var src = inputMD.raw, dst = MemoryDescriptor.any(output).raw
        let engine = context.engine
        let forward = context.primitive(key + " forward") {
            var desc = dnnl_pooling_desc_t()
            check(dnnl_pooling_forward_desc_init(&desc, dnnl_forward_training, dnnl_pooling_max, &src, &dst, strides, kernel, padL, padR), "pooling \(key)")
            var pd: dnnl_primitive_desc_t?
            check(dnnl_primitive_desc_create(&pd, &desc, nil, engine, nil), "pooling forward \(key)")
            return pd!
        }
        var dstChosen = forward.memoryDescriptor(dnnl_query_dst_md).raw
        let backward = context.primitive(key + " backward") {
            var desc = dnnl_pooling_desc_t()
            check(dnnl_pooling_backward_desc_init(&desc, dnnl_pooling_max, &src, &dstChosen, strides, kernel, padL, padR), "pooling backward \(key)")
            var pd: dnnl_primitive_desc_t?
            check(dnnl_primitive_desc_create(&pd, &desc, nil, engine, forward.descriptor), "pooling backward \(key)")
            return pd!
        }
        return (forward, backward)
    }

    public override func maxPool2d(_ input: Tensor, geometry: Pooling2DGeometry) -> PoolingResult {
        let (oh, ow) = geometry.outputSize(height: input.shape[2], width: input.shape[3])
        let outputShape = [input.shape[0], input.shape[1], oh, ow]
        let (forward, _) = poolingPrimitives(descriptor(input), output: outputShape, geometry: geometry)
        let dstMD = forward.memoryDescriptor(dnnl_query_dst_md), wsMD = forward.memoryDescriptor(dnnl_query_workspace_md)
        let y = allocate(outputShape, dstMD)
        let workspace = Tensor(uninitialized: [(wsMD.byteCount + 3) / 4], backend: self)
        context.execute(forward, [(GN_ARG_SRC, descriptor(input), raw(input)), (GN_ARG_DST, dstMD, raw(y)), (GN_ARG_WORKSPACE, wsMD, raw(workspace))])
        return PoolingResult(output: y, workspace: workspace)
    }

    public override func maxPool2dBackward(_ input: Tensor, geometry: Pooling2DGeometry, result: PoolingResult, outputGradient: Tensor) -> Tensor {
        let (forward, backward) = poolingPrimitives(descriptor(input), output: result.output.shape, geometry: geometry)
        let dy = converted(outputGradient, to: backward.memoryDescriptor(dnnl_query_diff_dst_md))
        let dxMD = backward.memoryDescriptor(dnnl_query_diff_src_md), wsMD = forward.memoryDescriptor(dnnl_query_workspace_md)
        let dx = allocate(input.shape, dxMD)
        context.execute(backward, [(GN_ARG_DIFF_DST, descriptor(dy), raw(dy)), (GN_ARG_DIFF_SRC, dxMD, raw(dx)),
                                   (GN_ARG_WORKSPACE, wsMD, raw(result.workspace!))])
        return dx
    }

    // MARK: Local response normalisation

    private func lrnPrimitives(_ inputMD: MemoryDescriptor, _ p: LocalResponseNormParameters) -> (Primitive, Primitive) {
        let key = "lrn \(inputMD.key) \(p)"
        var data = inputMD.raw
        let engine = context.engine
        let forward = context.primitive(key + " forward") {
            var desc = dnnl_lrn_desc_t()
            check(dnnl_lrn_forward_desc_init(&desc, dnnl_forward_training, dnnl_lrn_across_channels, &data, Int64(p.size), p.alpha, p.beta, p.k), "LRN \(key)")
            var pd: dnnl_primitive_desc_t?
            check(dnnl_primitive_desc_create(&pd, &desc, nil, engine, nil), "LRN forward \(key)")
            return pd!
        }
        let backward = context.primitive(key + " backward") {
            var desc = dnnl_lrn_desc_t()
            check(dnnl_lrn_backward_desc_init(&desc, dnnl_lrn_across_channels, &data, &data, Int64(p.size), p.alpha, p.beta, p.k), "LRN backward \(key)")
            var pd: dnnl_primitive_desc_t?
            check(dnnl_primitive_desc_create(&pd, &desc, nil, engine, forward.descriptor), "LRN backward \(key)")
            return pd!
        }
        return (forward, backward)
    }

    public override func localResponseNorm(_ input: Tensor, parameters: LocalResponseNormParameters) -> PoolingResult {
        let md = descriptor(input)
        let (forward, _) = lrnPrimitives(md, parameters)
        let wsMD = forward.memoryDescriptor(dnnl_query_workspace_md)
        let y = allocate(input.shape, md)
        let workspace = Tensor(uninitialized: [max(1, (wsMD.byteCount + 3) / 4)], backend: self)
        context.execute(forward, [(GN_ARG_SRC, md, raw(input)), (GN_ARG_DST, md, raw(y)), (GN_ARG_WORKSPACE, wsMD, raw(workspace))])
        return PoolingResult(output: y, workspace: workspace)
    }

    public override func localResponseNormBackward(_ input: Tensor, parameters: LocalResponseNormParameters,
                                                   result: PoolingResult, outputGradient: Tensor) -> Tensor {
        let md = descriptor(input)
        let (forward, backward) = lrnPrimitives(md, parameters)
        let dy = converted(outputGradient, to: md)
        let wsMD = forward.memoryDescriptor(dnnl_query_workspace_md)
        let dx = allocate(input.shape, md)
        context.execute(backward, [(GN_ARG_SRC, md, raw(input)), (GN_ARG_DIFF_DST, md, raw(dy)), (GN_ARG_DIFF_SRC, md, raw(dx)),
                                   (GN_ARG_WORKSPACE, wsMD, raw(result.workspace!))])
        return dx
    }

    // MARK: Matrix product

    public override func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool) -> Tensor {
        let a = a.plain, b = b.plain
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        let c = output([m, n])
        OpenBLAS.sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), 1, a.storage.pointer, Int32(a.shape[1]), b.storage.pointer, Int32(b.shape[1]),
                    0, c.storage.pointer, Int32(n))
        return c
    }

    // MARK: Elementwise

    public override func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor {
        let a = a.plain, b = b.plain
        let shape = Shape.broadcast(a.shape, b.shape)!
        let total = shape.reduce(1, *)
        // Fast when each operand is the whole output or repeats along leading axes
        // (a bias over a batch, a scalar); other broadcasts use the reference loops.
        func repeats(_ s: [Int]) -> Bool {
            let trimmed = Array(s.drop { $0 == 1 })
            return trimmed.isEmpty || Array(shape.suffix(trimmed.count)) == trimmed
        }
        guard repeats(a.shape), repeats(b.shape) else { return super.binary(operation, a, b) }
        let c = output(shape)
        let na = a.count, nb = b.count
        let pa = UnsafePointer(a.storage.pointer), pb = UnsafePointer(b.storage.pointer), pc = c.storage.pointer
        // One specialised loop per operation: a closure chosen at run time would not vectorise.
        switch operation {
        case .add: repeatedBinary(pa, na, pb, nb, pc, total, +)
        case .subtract: repeatedBinary(pa, na, pb, nb, pc, total, -)
        case .multiply: repeatedBinary(pa, na, pb, nb, pc, total, *)
        case .divide: repeatedBinary(pa, na, pb, nb, pc, total, /)
        }
        return c
    }

    /// c[i] = f(a[i mod na], b[i mod nb]) where each operand is either the whole output or a block
    /// that repeats along the leading axes.
    @inline(__always)
    private func repeatedBinary(_ pa: UnsafePointer<Float>, _ na: Int, _ pb: UnsafePointer<Float>, _ nb: Int,
                                _ pc: UnsafeMutablePointer<Float>, _ total: Int, _ f: (Float, Float) -> Float) {
        Parallel.forChunks(count: total) { range in
            if na == total && nb == total {
                Vector.zip(pa, pb, pc, range, f)
            } else if nb == 1 {
                let s = pb[0]
                Vector.map(pa, pc, range) { f($0, s) }
            } else if na == 1 {
                let s = pa[0]
                Vector.map(pb, pc, range) { f(s, $0) }
            } else {
                // One operand repeats with period p; walk the range period by period.
                let p = min(na, nb)
                var i = range.lowerBound
                while i < range.upperBound {
                    let offset = i % p, start = i - offset, end = min(range.upperBound, start + p)
                    let ao = na == total ? pa + start : pa, bo = nb == total ? pb + start : pb
                    Vector.zip(ao, bo, pc + start, offset..<(end - start), f)
                    i = end
                }
            }
        }
    }

    public override func unary(_ operation: UnaryOperation, _ x: Tensor) -> Tensor {
        let x = x.plain
        let y = output(x.shape)
        let px = UnsafePointer(x.storage.pointer), py = y.storage.pointer
        Parallel.forChunks(count: x.count) { range in
            switch operation {
            case .relu: Vector.map(px, py, range) { max($0, 0) }
            case .negate: Vector.map(px, py, range) { -$0 }
            case .square: Vector.map(px, py, range) { $0 * $0 }
            case .addScalar(let s): Vector.map(px, py, range) { $0 + s }
            case .multiplyScalar(let s): Vector.map(px, py, range) { $0 * s }
            case .clip(let lo, let hi):
                Vector.map(px, py, range) { min(max($0, lo), hi) }
            default: for i in range { py[i] = operation.apply(px[i]) }
            }
        }
        return y
    }

    public override func unaryBackward(_ operation: UnaryOperation, input: Tensor, output y: Tensor, outputGradient: Tensor) -> Tensor {
        let x = input.plain, y = y.plain, dy = outputGradient.plain
        let dx = output(x.shape)
        let px = UnsafePointer(x.storage.pointer), py = UnsafePointer(y.storage.pointer)
        let pg = UnsafePointer(dy.storage.pointer), pdx = dx.storage.pointer
        Parallel.forChunks(count: x.count) { range in
            switch operation {
            case .relu: Vector.zip(px, pg, pdx, range) { x, g in x > 0 ? g : 0 }
            case .multiplyScalar(let s): Vector.map(pg, pdx, range) { $0 * s }
            case .addScalar: pdx.advanced(by: range.lowerBound).update(from: pg + range.lowerBound, count: range.count)
            default: for i in range { pdx[i] = pg[i] * operation.derivative(input: px[i], output: py[i]) }
            }
        }
        return dx
    }

    public override func sgdStep(parameter: inout Tensor, velocity: inout Tensor, gradient: Tensor,
                                 learningRate eta: Float, momentum mu: Float, nesterov: Bool) {
        let g = gradient.plain
        let pg = UnsafePointer(g.storage.pointer)
        velocity.withUnsafeMutableBufferPointer { v in
            parameter.withUnsafeMutableBufferPointer { w in
                let pv = v.baseAddress!, pw = w.baseAddress!
                // One pass over the 42M weights: at batch 16 memory traffic, not arithmetic, is the cost.
                Parallel.forChunks(count: w.count) { range in
                    if nesterov {
                        for i in range { let step = mu * pv[i] - eta * pg[i]; pv[i] = step; pw[i] += mu * step - eta * pg[i] }
                    } else {
                        for i in range { let step = mu * pv[i] - eta * pg[i]; pv[i] = step; pw[i] += step }
                    }
                }
            }
        }
    }

    public override func sum(_ x: Tensor, axes: [Int]) -> Tensor {
        let x = x.plain
        var shape = x.shape
        for axis in axes { shape[axis] = 1 }
        // Leading axes: column sums of an [outer, inner] matrix (bias gradients over a batch).
        guard !axes.isEmpty, axes == Array(0..<axes.count), axes.count < x.rank else { return super.sum(x, axes: axes) }
        let outer = axes.map { x.shape[$0] }.reduce(1, *), inner = x.count / max(outer, 1)
        let result = Tensor(zeros: shape, backend: self)
        let px = UnsafePointer(x.storage.pointer), pr = result.storage.pointer
        Parallel.forChunks(count: inner, minimumChunk: 1024) { range in
            for row in 0..<outer {
                Vector.zip(pr, px + row * inner, pr, range, +)
            }
        }
        return result
    }
}
