import CDNNL
import GalaxyTensor

/// Convolution forward and both backward passes, untied biases fused with ReLU.
extension OneDNNBackend {
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
        let engine = context.engine, attributes = context.attributes
        // Winograd F(4×4, 3×3) for unstrided 3×3 kernels where oneDNN has it (AVX-512 in 2.6): 2.25×
        // fewer multiplies, conv3 + conv4 of the best model 1.5× faster; direct everywhere else.
        let winograd = weight[2] == 3 && weight[3] == 3 && g.strideY == 1 && g.strideX == 1
        let algorithms = (winograd ? [dnnl_convolution_winograd] : []) + [dnnl_convolution_direct]
        let forward = context.primitive(key + " forward") {
            let forwardAttributes = forwardAttributes(fuseReLU: fuseReLU)
            defer { dnnl_primitive_attr_destroy(forwardAttributes) }
            return firstImplemented(algorithms, "convolution forward \(key)") { algorithm, pd in
                var desc = dnnl_convolution_desc_t()
                check(withUnsafePointer(to: &bias) { b in
                    dnnl_convolution_forward_desc_init(&desc, dnnl_forward_training, algorithm, &src, &wts, tiedBias ? b : nil, &dst,
                                                       strides, padL, padR)
                }, "convolution \(key)")
                return dnnl_primitive_desc_create(&pd, &desc, forwardAttributes, engine, nil)
            }
        }
        let backwardData = context.primitive(key + " backward data") {
            firstImplemented(algorithms, "convolution backward data \(key)") { algorithm, pd in
                var desc = dnnl_convolution_desc_t()
                check(dnnl_convolution_backward_data_desc_init(&desc, algorithm, &src, &wts, &dst, strides, padL, padR),
                      "convolution backward data \(key)")
                return dnnl_primitive_desc_create(&pd, &desc, attributes, engine, forward.descriptor)
            }
        }
        let backwardWeights = context.primitive(key + " backward weights") {
            firstImplemented(algorithms, "convolution backward weights \(key)") { algorithm, pd in
                var desc = dnnl_convolution_desc_t()
                check(withUnsafePointer(to: &bias) { b in
                    dnnl_convolution_backward_weights_desc_init(&desc, algorithm, &src, &wts, tiedBias ? b : nil, &dst, strides, padL, padR)
                }, "convolution backward weights \(key)")
                return dnnl_primitive_desc_create(&pd, &desc, attributes, engine, forward.descriptor)
            }
        }
        return ConvolutionPrimitives(forward: forward, backwardData: backwardData, backwardWeights: backwardWeights)
    }

    /// The primitive descriptor of the first algorithm oneDNN implements on this CPU (`create`
    /// returns the creation status; "unimplemented" moves on to the next algorithm).
    private func firstImplemented(_ algorithms: [dnnl_alg_kind_t], _ what: String,
                                  _ create: (dnnl_alg_kind_t, inout dnnl_primitive_desc_t?) -> dnnl_status_t) -> dnnl_primitive_desc_t {
        var status = dnnl_unimplemented
        for algorithm in algorithms {
            var pd: dnnl_primitive_desc_t?
            status = create(algorithm, &pd)
            if status == dnnl_success, let pd { return pd }
        }
        check(status, what)
        fatalError("unreachable")
    }

    /// Attributes of the forward pass: a user-managed scratchpad and ReLU as a post-op when asked.
    /// The caller destroys them.
    private func forwardAttributes(fuseReLU: Bool) -> dnnl_primitive_attr_t? {
        let attr = DNNLContext.makeAttributes()
        if fuseReLU {
            var ops: dnnl_post_ops_t?
            check(dnnl_post_ops_create(&ops), "post-ops")
            defer { dnnl_post_ops_destroy(ops) }
            check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), "ReLU post-op")
            check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post-ops")
        }
        return attr
    }

    public func conv2d(_ input: Tensor, weight: Tensor, bias: ConvolutionBias, geometry: Convolution2DGeometry, fuseReLU: Bool) -> Tensor {
        let outputShape = Tensor.conv2dOutputShape(input: input.shape, weight: weight.shape, bias: bias, geometry: geometry)
        if let w = winograd5x5(input: input.shape, weight: weight.shape, geometry: geometry) {
            return winogradConvolution(input, weight: weight, bias: bias, relu: fuseReLU, w)
        }
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
        Parallelism.forChunks(count: samples * perSample) { range in
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

    public func conv2dBackward(_ input: Tensor, weight: Tensor, bias: ConvolutionBias, geometry: Convolution2DGeometry,
                                        fuseReLU: Bool, output: Tensor, outputGradient: Tensor,
                                        needsInputGradient: Bool) -> Convolution2DGradients {
        let tied: Bool = if case .tied = bias { true } else { false }
        let untied: Bool = if case .untied = bias { true } else { false }
        let p = convolutionPrimitives(input: input.shape, weight: weight.shape, output: output.shape, tiedBias: tied,
                                      fuseReLU: fuseReLU && !untied, geometry: geometry)
        // The gradient in the output's layout, masked by ReLU when it was fused; an untied bias's
        // gradient (its sum over the batch) is taken in the same pass.
        let (dy, untiedGradient) = maskedGradient(converted(outputGradient, to: descriptor(output)), output: output,
                                                  relu: fuseReLU, sumOverSamples: untied)

        // Weights (and tied bias).
        if let w = winograd5x5WeightGradient(input: input.shape, weight: weight.shape, geometry: geometry) {
            let (dw, db) = winogradWeightGradient(input, outputGradient: dy, tiedBias: tied, w)
            let dx = needsInputGradient ? inputGradient(dy, weight: weight, input: input, p) : nil
            return Convolution2DGradients(input: dx, weight: dw, bias: untied ? untiedGradient : db)
        }
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
        if untied { db = untiedGradient }

        let dx = needsInputGradient ? inputGradient(dy, weight: weight, input: input, p) : nil
        return Convolution2DGradients(input: dx, weight: makePlain(dw), bias: db)
    }

    /// The input gradient by oneDNN's backward-data primitive.
    private func inputGradient(_ dy: Tensor, weight: Tensor, input: Tensor, _ p: ConvolutionPrimitives) -> Tensor {
        let dp = p.backwardData
        let w = converted(weight.plain, to: dp.memoryDescriptor(dnnl_query_weights_md))
        let dyD = converted(dy, to: dp.memoryDescriptor(dnnl_query_diff_dst_md))
        let dxMD = dp.memoryDescriptor(dnnl_query_diff_src_md)
        let result = allocate(input.shape, dxMD)
        context.execute(dp, [(GN_ARG_DIFF_DST, descriptor(dyD), raw(dyD)), (GN_ARG_WEIGHTS, descriptor(w), raw(w)),
                             (GN_ARG_DIFF_SRC, dxMD, raw(result))])
        return result
    }

    /// `gradient` masked where the ReLU-fused `output` is not positive (when `relu`), and its sum over
    /// the batch as plain [C, H, W] (when `sumOverSamples`), in one pass over memory on all cores:
    /// each thread owns a range of positions within a sample and walks the samples.
    private func maskedGradient(_ gradient: Tensor, output: Tensor, relu: Bool, sumOverSamples: Bool) -> (Tensor, Tensor?) {
        guard relu || sumOverSamples else { return (gradient, nil) }
        let md = descriptor(gradient)
        guard let one = md.singleSample, descriptor(output).key == md.key else {
            // A layout without sample-major order: the plain NCHW path.
            let plain = makePlain(gradient), plainOutput = makePlain(output)
            return maskedGradient(plain, output: plainOutput, relu: relu, sumOverSamples: sumOverSamples)
        }
        let samples = gradient.shape[0], perSample = one.byteCount / 4
        let masked = relu ? allocate(gradient.shape, md) : gradient
        let total = sumOverSamples ? allocate([1] + gradient.shape.dropFirst(), one) : nil
        let py = UnsafePointer(output.storage.pointer), pg = UnsafePointer(gradient.storage.pointer)
        let pm = masked.storage.pointer, pt = total?.storage.pointer
        Parallelism.forChunks(count: perSample, minimumChunk: max(16, 32_768 / max(samples, 1))) { range in
            if let pt { (pt + range.lowerBound).update(repeating: 0, count: range.count) }
            for s in 0..<samples {
                let offset = s * perSample
                if relu { Vector.zip(py + offset, pg + offset, pm + offset, range) { y, g in y > 0 ? g : 0 } }
                if let pt { Vector.zip(pt, UnsafePointer(pm + offset), pt, range, +) }
            }
        }
        return (masked, total.map { makePlain($0).reshaped(Array(gradient.shape.dropFirst())) })
    }
}
