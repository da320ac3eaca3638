/// The reference backend: every op as plain, obviously correct Swift loops over row-major data.
///
/// It is the definition the fast backend is tested against. A faster host backend that runs
/// some ops with these loops holds its own instance made with `producingFor:` and names each
/// such op (no inheritance): inputs may then arrive in that backend's opaque layout, so every
/// kernel here reads `.plain` inputs, and outputs belong to that backend.
public final class ReferenceBackend: Backend, @unchecked Sendable {
    /// The shared instance (the backend has no state).
    public static let shared = ReferenceBackend()

    /// The backend whose tensors the kernels produce; nil for this backend itself.
    private unowned(unsafe) let owner: (any Backend)?

    public init() { owner = nil }

    /// Reference kernels whose outputs belong to `owner` (a host backend's explicit fallbacks).
    public init(producingFor owner: any Backend) {
        require(owner.isHostMemory, "ReferenceBackend: \(owner.name) is not a host backend; transfer its tensors instead")
        self.owner = owner
    }

    public var name: String { "reference" }
    public var isHostMemory: Bool { true }
    private var producer: any Backend { owner ?? self }

    public func makePlain(_ x: Tensor) -> Tensor {
        require(x.layout == nil, "\(name): tensor has a layout (\(x.layout!)) this backend does not know")
        return x
    }

    public func makeTensor(shape: [Int], scalars: UnsafeBufferPointer<Float>) -> Tensor {
        HostMemory.makeTensor(shape: shape, scalars: scalars, backend: producer)
    }

    public func makeTensor(shape: [Int], repeating value: Float) -> Tensor {
        HostMemory.makeTensor(shape: shape, repeating: value, backend: producer)
    }

    public func withHostScalars<R>(_ x: Tensor, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try HostMemory.withScalars(x, body)
    }

    /// A fresh tensor for a kernel's output, owned by the producing backend.
    public func output(_ shape: [Int]) -> Tensor { Tensor(uninitialized: shape, backend: producer) }
    private func zeros(_ shape: [Int]) -> Tensor { Tensor(zeros: shape, backend: producer) }

    // MARK: Elementwise

    public func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor {
        let a = a.plain, b = b.plain
        let shape = Shape.broadcast(a.shape, b.shape)!
        var result = output(shape)
        let aStrides = broadcastStrides(a.shape, to: shape), bStrides = broadcastStrides(b.shape, to: shape)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                result.withUnsafeMutableBufferPointer { pc in
                    forEachIndex(shape) { linear, index in
                        var ia = 0, ib = 0
                        for axis in 0..<index.count { ia += index[axis] * aStrides[axis]; ib += index[axis] * bStrides[axis] }
                        pc[linear] = operation.apply(pa[ia], pb[ib])
                    }
                }
            }
        }
        return result
    }

    public func unary(_ operation: UnaryOperation, _ x: Tensor) -> Tensor {
        let x = x.plain
        var result = output(x.shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { py in
                for i in px.indices { py[i] = operation.apply(px[i]) }
            }
        }
        return result
    }

    public func unaryBackward(_ operation: UnaryOperation, input: Tensor, output y: Tensor, outputGradient: Tensor) -> Tensor {
        let x = input.plain, y = y.plain, dy = outputGradient.plain
        var dx = output(x.shape)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in
                dy.withUnsafeBufferPointer { pdy in
                    dx.withUnsafeMutableBufferPointer { pdx in
                        for i in px.indices { pdx[i] = pdy[i] * operation.derivative(input: px[i], output: py[i]) }
                    }
                }
            }
        }
        return dx
    }

    // MARK: Reductions

    public func sum(_ x: Tensor, axes: [Int]) -> Tensor {
        let x = x.plain
        var shape = x.shape
        for axis in axes { shape[axis] = 1 }
        var result = zeros(shape)
        let strides = broadcastStrides(shape, to: x.shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                forEachIndex(x.shape) { linear, index in
                    var target = 0
                    for axis in 0..<index.count { target += index[axis] * strides[axis] }
                    pr[target] += px[linear]
                }
            }
        }
        return result
    }

    public func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor {
        let x = x.plain
        return gather(x, shape: shape, strides: broadcastStrides(x.shape, to: shape))
    }

    /// result[index] = x[Σ index[axis]·strides[axis]]: broadcasting (zero strides) and permutation
    /// (permuted strides) are both this read.
    private func gather(_ x: Tensor, shape: [Int], strides: [Int]) -> Tensor {
        var result = output(shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                forEachIndex(shape) { linear, index in
                    var source = 0
                    for axis in 0..<index.count { source += index[axis] * strides[axis] }
                    pr[linear] = px[source]
                }
            }
        }
        return result
    }

    // MARK: Matrix product

    public func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool) -> Tensor {
        let a = a.plain, b = b.plain
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        var c = output([m, n])
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    // i–p–j order: the inner loop runs along a row of C (and of B when not transposed).
                    for i in 0..<m {
                        for j in 0..<n { pc[i * n + j] = 0 }
                        for p in 0..<k {
                            let av = transposeA ? pa[p * m + i] : pa[i * k + p]
                            for j in 0..<n { pc[i * n + j] += av * (transposeB ? pb[j * k + p] : pb[p * n + j]) }
                        }
                    }
                }
            }
        }
        return c
    }

    // MARK: Data movement

    public func permute(_ x: Tensor, axes: [Int]) -> Tensor {
        let x = x.plain
        let shape = axes.map { x.shape[$0] }
        let sourceStrides = Shape.strides(x.shape)
        return gather(x, shape: shape, strides: axes.map { sourceStrides[$0] })
    }

    public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor {
        let x = x.plain
        var shape = x.shape
        shape[axis] = range.count
        let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
        var result = output(shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                for o in 0..<outer {
                    for (j, i) in range.enumerated() {
                        for e in 0..<inner { pr[(o * range.count + j) * inner + e] = px[(o * x.shape[axis] + i) * inner + e] }
                    }
                }
            }
        }
        return result
    }

    public func concatenate(_ xs: [Tensor], axis: Int) -> Tensor {
        let xs = xs.map(\.plain)
        var shape = xs[0].shape
        shape[axis] = xs.map { $0.shape[axis] }.reduce(0, +)
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var result = output(shape)
        result.withUnsafeMutableBufferPointer { pr in
            var offset = 0
            for x in xs {
                let extent = x.shape[axis]
                x.withUnsafeBufferPointer { px in
                    for o in 0..<outer {
                        for i in 0..<extent {
                            for e in 0..<inner { pr[(o * shape[axis] + offset + i) * inner + e] = px[(o * extent + i) * inner + e] }
                        }
                    }
                }
                offset += extent
            }
        }
        return result
    }

    public func rotate90(_ x: Tensor, turns: Int) -> Tensor {
        let x = x.plain
        let turns = ((turns % 4) + 4) % 4
        let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
        var shape = x.shape
        if turns % 2 == 1 { shape[x.rank - 2] = w; shape[x.rank - 1] = h }
        let planes = x.count / max(h * w, 1)
        let oh = shape[x.rank - 2], ow = shape[x.rank - 1]
        var result = output(shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                for p in 0..<planes {
                    for r in 0..<oh {
                        for c in 0..<ow {
                            let (sr, sc) = Shape.rotate90Source(row: r, column: c, turns: turns, height: h, width: w)
                            pr[p * oh * ow + r * ow + c] = px[p * h * w + sr * w + sc]
                        }
                    }
                }
            }
        }
        return result
    }

    public func flipHorizontal(_ x: Tensor) -> Tensor {
        let x = x.plain
        let w = x.shape[x.rank - 1], rows = x.count / max(w, 1)
        var result = output(x.shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                for r in 0..<rows { for c in 0..<w { pr[r * w + c] = px[r * w + (w - 1 - c)] } }
            }
        }
        return result
    }

    // MARK: Maxout and softmax

    public func maxout(_ x: Tensor, groupSize k: Int) -> Tensor {
        let x = x.plain
        var shape = x.shape
        shape[x.rank - 1] /= k
        var result = output(shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                for g in pr.indices {
                    var best = px[g * k]
                    for j in 1..<max(k, 1) { best = max(best, px[g * k + j]) }
                    pr[g] = best
                }
            }
        }
        return result
    }

    public func maxoutBackward(input: Tensor, groupSize k: Int, outputGradient: Tensor) -> Tensor {
        let x = input.plain, dy = outputGradient.plain
        var dx = zeros(x.shape)
        x.withUnsafeBufferPointer { px in
            dy.withUnsafeBufferPointer { pdy in
                dx.withUnsafeMutableBufferPointer { pdx in
                    for g in pdy.indices {
                        // The first maximum of the group takes the gradient (ties are measure-zero).
                        var best = g * k
                        for j in 1..<max(k, 1) where px[g * k + j] > px[best] { best = g * k + j }
                        pdx[best] = pdy[g]
                    }
                }
            }
        }
        return dx
    }

    public func logSoftmax(_ x: Tensor) -> Tensor {
        let x = x.plain
        let rows = x.shape[0], cols = x.shape[1]
        var result = output(x.shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                for r in 0..<rows {
                    var top = -Float.infinity
                    for c in 0..<cols { top = max(top, px[r * cols + c]) }
                    var total: Float = 0
                    for c in 0..<cols { total += Foundationless.exp(px[r * cols + c] - top) }
                    let logTotal = top + Foundationless.log(total)
                    for c in 0..<cols { pr[r * cols + c] = px[r * cols + c] - logTotal }
                }
            }
        }
        return result
    }

    public func logSoftmaxBackward(output y: Tensor, outputGradient: Tensor) -> Tensor {
        let y = y.plain, dy = outputGradient.plain
        let rows = y.shape[0], cols = y.shape[1]
        var dx = output(y.shape)
        y.withUnsafeBufferPointer { py in
            dy.withUnsafeBufferPointer { pdy in
                dx.withUnsafeMutableBufferPointer { pdx in
                    for r in 0..<rows {
                        var total: Float = 0
                        for c in 0..<cols { total += pdy[r * cols + c] }
                        for c in 0..<cols { pdx[r * cols + c] = pdy[r * cols + c] - Foundationless.exp(py[r * cols + c]) * total }
                    }
                }
            }
        }
        return dx
    }

    // MARK: Convolution

    /// Output columns q for which input column q·stride − pad + k lies inside [0, size).
    private func validRange(output: Int, stride: Int, pad: Int, offset k: Int, size: Int) -> Range<Int> {
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
    private func argmaxInWindow(_ px: UnsafeBufferPointer<Float>, plane: Int, row r: Int, column q: Int,
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

    // MARK: Local response normalisation

    public func localResponseNorm(_ input: Tensor, parameters p: LocalResponseNormParameters) -> PoolingResult {
        let x = input.plain
        let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var y = output(x.shape)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                for s in 0..<n { for ch in 0..<c { for e in 0..<plane {
                    let scale = lrnScale(px, sample: s, channel: ch, element: e, channels: c, plane: plane, parameters: p)
                    let i = (s * c + ch) * plane + e
                    py[i] = px[i] * Foundationless.pow(scale, -p.beta)
                } } }
            }
        }
        return PoolingResult(output: y)
    }

    public func localResponseNormBackward(_ input: Tensor, parameters p: LocalResponseNormParameters,
                                        result: PoolingResult, outputGradient: Tensor) -> Tensor {
        let x = input.plain, dy = outputGradient.plain
        let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        let half = (p.size - 1) / 2
        var dx = zeros(x.shape)
        x.withUnsafeBufferPointer { px in
            dy.withUnsafeBufferPointer { pdy in
                dx.withUnsafeMutableBufferPointer { pdx in
                    // y_j = x_j · S_j^-β with S_j = k + (α/n)·Σ_{i∈win(j)} x_i², so
                    // dL/dx_i = dy_i·S_i^-β − (2αβ/n)·x_i·Σ_{j: i∈win(j)} dy_j·x_j·S_j^(−β−1).
                    for s in 0..<n { for e in 0..<plane { for i in 0..<c {
                        let xi = px[(s * c + i) * plane + e]
                        let si = lrnScale(px, sample: s, channel: i, element: e, channels: c, plane: plane, parameters: p)
                        var grad = pdy[(s * c + i) * plane + e] * Foundationless.pow(si, -p.beta)
                        for j in max(0, i - half)...min(c - 1, i + half) {
                            let sj = lrnScale(px, sample: s, channel: j, element: e, channels: c, plane: plane, parameters: p)
                            let xj = px[(s * c + j) * plane + e]
                            grad -= 2 * p.alpha * p.beta / Float(p.size) * xi * pdy[(s * c + j) * plane + e] * xj * Foundationless.pow(sj, -p.beta - 1)
                        }
                        pdx[(s * c + i) * plane + e] = grad
                    } } }
                }
            }
        }
        return dx
    }

    // MARK: Optimiser

    public func sgdStep(parameter: inout Tensor, velocity: inout Tensor, gradient: Tensor,
                      learningRate eta: Float, momentum mu: Float, nesterov: Bool) {
        let g = gradient.plain
        g.withUnsafeBufferPointer { pg in
            velocity.withUnsafeMutableBufferPointer { pv in
                parameter.withUnsafeMutableBufferPointer { pw in
                    for i in pw.indices {
                        pv[i] = mu * pv[i] - eta * pg[i]
                        pw[i] += nesterov ? mu * pv[i] - eta * pg[i] : pv[i]
                    }
                }
            }
        }
    }

    public func maxNormColumns(_ weight: inout Tensor, limit: Float) {
        require(weight.rank == 2, "maxNormColumns: expected a rank-2 weight, got \(weight.shape)")
        let rows = weight.shape[0], columns = weight.shape[1]
        weight.withUnsafeMutableBufferPointer { w in
            var squares = [Float](repeating: 0, count: columns)
            for r in 0..<rows { for c in 0..<columns { squares[c] += w[r * columns + c] * w[r * columns + c] } }
            let factors = squares.map { min(limit / max(($0 / Float(rows)).squareRoot(), 1e-12), 1) }
            for r in 0..<rows { for c in 0..<columns { w[r * columns + c] *= factors[c] } }
        }
    }

    private func lrnScale(_ px: UnsafeBufferPointer<Float>, sample s: Int, channel ch: Int, element e: Int,
                          channels c: Int, plane: Int, parameters p: LocalResponseNormParameters) -> Float {
        let half = (p.size - 1) / 2
        var total: Float = 0
        for j in max(0, ch - half)...min(c - 1, ch + half) {
            let v = px[(s * c + j) * plane + e]
            total += v * v
        }
        return p.k + p.alpha / Float(p.size) * total
    }
}

// MARK: - Index helpers shared by the reference loops

/// Strides that read `shape` as if broadcast to `target` (0 along broadcast axes).
public func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
    let strides = Shape.strides(padded)
    return zip(padded, strides).map { $0.0 == 1 ? 0 : $0.1 }
}

/// Calls `body(linearIndex, multiIndex)` for every element of `shape` in row-major order.
@inline(__always)
func forEachIndex(_ shape: [Int], _ body: (Int, [Int]) -> Void) {
    let count = shape.reduce(1, *)
    guard count > 0 else { return }
    var index = [Int](repeating: 0, count: shape.count)
    for linear in 0..<count {
        body(linear, index)
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < shape[axis] { break }
            index[axis] = 0
            axis -= 1
        }
    }
}
