/// The reference loops for local response normalisation.
extension ReferenceBackend {
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

    func lrnScale(_ px: UnsafeBufferPointer<Float>, sample s: Int, channel ch: Int, element e: Int,
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
