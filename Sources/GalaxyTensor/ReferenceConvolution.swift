/// The reference loops for convolution (direct, cross-correlation) and max-pooling.
extension ReferenceBackend {
    // MARK: Convolution

    /// Output columns q for which input column q·stride − pad + k lies inside [0, size).
    func validRange(output: Int, stride: Int, pad: Int, offset k: Int, size: Int) -> Range<Int> {
        // q·stride − pad + k ≥ 0  and  q·stride − pad + k < size.
        let low = max(0, (pad - k + stride - 1) / stride)
        let high = min(output, (size - 1 + pad - k) / stride + 1)
        return low < high ? low..<high : 0..<0
    }

    // The loops run over one filter tap (ch, ky, kx) at a time and sweep the output row, so the
    // innermost loop is a contiguous multiply-add the compiler vectorises; taps falling in the
    // zero padding are skipped through `validRange` instead of tested per element.
    public func conv2d(_ input: Tensor, weight: Tensor, bias: ConvolutionBias, geometry g: Convolution2DGeometry, fuseReLU: Bool) -> Tensor {
        let x = input.plain, w = weight.plain
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let (oh, ow) = g.outputSize(height: h, width: wd, kernelHeight: kh, kernelWidth: kw)
        var y = zeros([n, o, oh, ow])
        let b = bias.tensor?.plain
        let untied: Bool = if case .untied = bias { true } else { false }
        x.withUnsafeBufferPointer { px in
            w.withUnsafeBufferPointer { pw in
                y.withUnsafeMutableBufferPointer { py in
                    for s in 0..<n { for f in 0..<o {
                        let out = py.baseAddress! + (s * o + f) * oh * ow
                        for ch in 0..<c { for ky in 0..<kh { for kx in 0..<kw {
                            let weight = pw[((f * c + ch) * kh + ky) * kw + kx]
                            let image = px.baseAddress! + (s * c + ch) * h * wd
                            let columns = validRange(output: ow, stride: g.strideX, pad: g.padLeft, offset: kx, size: wd)
                            for r in validRange(output: oh, stride: g.strideY, pad: g.padTop, offset: ky, size: h) {
                                let row = image + (r * g.strideY - g.padTop + ky) * wd - g.padLeft + kx
                                for q in columns { out[r * ow + q] += weight * row[q * g.strideX] }
                            }
                        } } }
                        for i in 0..<(oh * ow) {
                            if let b { out[i] += untied ? b.storage.pointer[f * oh * ow + i] : b.storage.pointer[f] }
                            if fuseReLU { out[i] = max(out[i], 0) }
                        }
                    } }
                }
            }
        }
        return y
    }

    public func conv2dBackward(_ input: Tensor, weight: Tensor, bias: ConvolutionBias, geometry g: Convolution2DGeometry,
                             fuseReLU: Bool, output y: Tensor, outputGradient: Tensor,
                             needsInputGradient: Bool) -> Convolution2DGradients {
        let x = input.plain, w = weight.plain, y = y.plain
        var dy = outputGradient.plain
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let (oh, ow) = (dy.shape[2], dy.shape[3])
        if fuseReLU { dy = unaryBackward(.relu, input: y, output: y, outputGradient: dy) }
        var dx = zeros(x.shape)
        var dw = zeros(w.shape)
        x.withUnsafeBufferPointer { px in
            w.withUnsafeBufferPointer { pw in
                dy.withUnsafeBufferPointer { pdy in
                    dw.withUnsafeMutableBufferPointer { pdw in
                        dx.withUnsafeMutableBufferPointer { pdx in
                            // Each output element y[s,f,r,q] = Σ x[s,ch,r·sy−pt+ky,q·sx−pl+kx]·w[f,ch,ky,kx], so
                            // dw[f,ch,ky,kx] = Σ dy·x at those positions and dx at those positions += dy·w.
                            for s in 0..<n { for f in 0..<o {
                                let grad = pdy.baseAddress! + (s * o + f) * oh * ow
                                for ch in 0..<c { for ky in 0..<kh { for kx in 0..<kw {
                                    let wi = ((f * c + ch) * kh + ky) * kw + kx
                                    let weight = pw[wi]
                                    let offset = (s * c + ch) * h * wd
                                    let columns = validRange(output: ow, stride: g.strideX, pad: g.padLeft, offset: kx, size: wd)
                                    var total: Float = 0
                                    for r in validRange(output: oh, stride: g.strideY, pad: g.padTop, offset: ky, size: h) {
                                        let start = offset + (r * g.strideY - g.padTop + ky) * wd - g.padLeft + kx
                                        let row = px.baseAddress! + start, drow = pdx.baseAddress! + start
                                        for q in columns {
                                            total += grad[r * ow + q] * row[q * g.strideX]
                                            drow[q * g.strideX] += grad[r * ow + q] * weight
                                        }
                                    }
                                    pdw[wi] += total
                                } } }
                            } }
                        }
                    }
                }
            }
        }
        let db: Tensor? = switch bias {
        case .none: nil
        case .tied: sum(dy, axes: [0, 2, 3]).reshaped([o])
        case .untied: sum(dy, axes: [0]).reshaped([o, oh, ow])
        }
        return Convolution2DGradients(input: needsInputGradient ? dx : nil, weight: dw, bias: db)
    }

    // MARK: Pooling

    public func maxPool2d(_ input: Tensor, geometry g: Pooling2DGeometry) -> PoolingResult {
        let x = input.plain
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = g.outputSize(height: h, width: w)
        var y = output([n, c, oh, ow])
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                for plane in 0..<(n * c) { for r in 0..<oh { for q in 0..<ow {
                    py[(plane * oh + r) * ow + q] = px[plane * h * w + argmaxInWindow(px, plane: plane, row: r, column: q, height: h, width: w, geometry: g)]
                } } }
            }
        }
        return PoolingResult(output: y)
    }

    public func maxPool2dBackward(_ input: Tensor, geometry g: Pooling2DGeometry, result: PoolingResult, outputGradient: Tensor) -> Tensor {
        let x = input.plain, dy = outputGradient.plain
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (dy.shape[2], dy.shape[3])
        var dx = zeros(x.shape)
        x.withUnsafeBufferPointer { px in
            dy.withUnsafeBufferPointer { pdy in
                dx.withUnsafeMutableBufferPointer { pdx in
                    // Overlapping windows may pick the same input: gradients add up.
                    for plane in 0..<(n * c) { for r in 0..<oh { for q in 0..<ow {
                        let best = argmaxInWindow(px, plane: plane, row: r, column: q, height: h, width: w, geometry: g)
                        pdx[plane * h * w + best] += pdy[(plane * oh + r) * ow + q]
                    } } }
                }
            }
        }
        return dx
    }

    /// Offset within the plane of the first maximum of a pooling window (padding never wins).
    func argmaxInWindow(_ px: UnsafeBufferPointer<Float>, plane: Int, row r: Int, column q: Int,
                                height h: Int, width w: Int, geometry g: Pooling2DGeometry) -> Int {
        var best = -1
        var bestValue = -Float.infinity
        for ky in 0..<g.windowY { for kx in 0..<g.windowX {
            let iy = r * g.strideY - g.padTop + ky, ix = q * g.strideX - g.padLeft + kx
            guard iy >= 0 && iy < h && ix >= 0 && ix < w else { continue }
            let v = px[plane * h * w + iy * w + ix]
            if best < 0 || v > bestValue { best = iy * w + ix; bestValue = v }
        } }
        return best
    }
}
