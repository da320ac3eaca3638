import CDNNL
import GalaxyTensor

/// Max-pooling and local response normalisation, in the layout the convolutions left.
extension OneDNNBackend {
    // MARK: Pooling

    private func poolingPrimitives(_ inputMD: MemoryDescriptor, output: [Int], geometry g: Pooling2DGeometry) -> (Primitive, Primitive) {
        let key = "maxpool \(inputMD.key) \(g)"
        let input = inputMD.dims
        let strides: [Int64] = [Int64(g.strideY), Int64(g.strideX)], kernel: [Int64] = [Int64(g.windowY), Int64(g.windowX)]
        let padL: [Int64] = [Int64(g.padTop), Int64(g.padLeft)]
        let padR: [Int64] = [Int64((output[2] - 1) * g.strideY + g.windowY - input[2] - g.padTop),
                             Int64((output[3] - 1) * g.strideX + g.windowX - input[3] - g.padLeft)]
        var src = inputMD.raw, dst = MemoryDescriptor.any(output).raw
        let engine = context.engine, attributes = context.attributes
        let forward = context.primitive(key + " forward") {
            var desc = dnnl_pooling_desc_t()
            check(dnnl_pooling_forward_desc_init(&desc, dnnl_forward_training, dnnl_pooling_max, &src, &dst, strides, kernel, padL, padR), "pooling \(key)")
            var pd: dnnl_primitive_desc_t?
            check(dnnl_primitive_desc_create(&pd, &desc, attributes, engine, nil), "pooling forward \(key)")
            return pd!
        }
        var dstChosen = forward.memoryDescriptor(dnnl_query_dst_md).raw
        let backward = context.primitive(key + " backward") {
            var desc = dnnl_pooling_desc_t()
            check(dnnl_pooling_backward_desc_init(&desc, dnnl_pooling_max, &src, &dstChosen, strides, kernel, padL, padR), "pooling backward \(key)")
            var pd: dnnl_primitive_desc_t?
            check(dnnl_primitive_desc_create(&pd, &desc, attributes, engine, forward.descriptor), "pooling backward \(key)")
            return pd!
        }
        return (forward, backward)
    }

    public func maxPool2d(_ input: Tensor, geometry: Pooling2DGeometry) -> PoolingResult {
        let (oh, ow) = geometry.outputSize(height: input.shape[2], width: input.shape[3])
        let outputShape = [input.shape[0], input.shape[1], oh, ow]
        let (forward, _) = poolingPrimitives(descriptor(input), output: outputShape, geometry: geometry)
        let dstMD = forward.memoryDescriptor(dnnl_query_dst_md), wsMD = forward.memoryDescriptor(dnnl_query_workspace_md)
        let y = allocate(outputShape, dstMD)
        let workspace = Tensor(uninitialized: [(wsMD.byteCount + 3) / 4], backend: self)
        context.execute(forward, [(GN_ARG_SRC, descriptor(input), raw(input)), (GN_ARG_DST, dstMD, raw(y)), (GN_ARG_WORKSPACE, wsMD, raw(workspace))])
        return PoolingResult(output: y, workspace: workspace)
    }

    public func maxPool2dBackward(_ input: Tensor, geometry: Pooling2DGeometry, result: PoolingResult, outputGradient: Tensor) -> Tensor {
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
        let engine = context.engine, attributes = context.attributes
        let forward = context.primitive(key + " forward") {
            var desc = dnnl_lrn_desc_t()
            check(dnnl_lrn_forward_desc_init(&desc, dnnl_forward_training, dnnl_lrn_across_channels, &data, Int64(p.size), p.alpha, p.beta, p.k), "LRN \(key)")
            var pd: dnnl_primitive_desc_t?
            check(dnnl_primitive_desc_create(&pd, &desc, attributes, engine, nil), "LRN forward \(key)")
            return pd!
        }
        let backward = context.primitive(key + " backward") {
            var desc = dnnl_lrn_desc_t()
            check(dnnl_lrn_backward_desc_init(&desc, dnnl_lrn_across_channels, &data, &data, Int64(p.size), p.alpha, p.beta, p.k), "LRN backward \(key)")
            var pd: dnnl_primitive_desc_t?
            check(dnnl_primitive_desc_create(&pd, &desc, attributes, engine, forward.descriptor), "LRN backward \(key)")
            return pd!
        }
        return (forward, backward)
    }

    public func localResponseNorm(_ input: Tensor, parameters: LocalResponseNormParameters) -> PoolingResult {
        let md = descriptor(input)
        let (forward, _) = lrnPrimitives(md, parameters)
        let wsMD = forward.memoryDescriptor(dnnl_query_workspace_md)
        let y = allocate(input.shape, md)
        let workspace = Tensor(uninitialized: [max(1, (wsMD.byteCount + 3) / 4)], backend: self)
        context.execute(forward, [(GN_ARG_SRC, md, raw(input)), (GN_ARG_DST, md, raw(y)), (GN_ARG_WORKSPACE, wsMD, raw(workspace))])
        return PoolingResult(output: y, workspace: workspace)
    }

    public func localResponseNormBackward(_ input: Tensor, parameters: LocalResponseNormParameters,
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
}
