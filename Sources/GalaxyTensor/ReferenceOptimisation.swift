/// The optimiser kernels' reference loops: each is the definition its fast versions are tested
/// against, and each reads and writes every element once.
extension ReferenceBackend {
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

    public func adamWStep(parameter: inout Tensor, firstMoment: inout Tensor, secondMoment: inout Tensor, gradient: Tensor,
                          _ p: AdamWParameters) {
        let g = gradient.plain
        g.withUnsafeBufferPointer { pg in
            firstMoment.withUnsafeMutableBufferPointer { pm in
                secondMoment.withUnsafeMutableBufferPointer { pv in
                    parameter.withUnsafeMutableBufferPointer { pw in
                        for i in pw.indices { p.update(&pw[i], &pm[i], &pv[i], pg[i]) }
                    }
                }
            }
        }
    }

    public func movingAverageStep(average: inout Tensor, value: Tensor, decay: Float) {
        let x = value.plain
        x.withUnsafeBufferPointer { px in
            average.withUnsafeMutableBufferPointer { pa in
                for i in pa.indices { pa[i] += (1 - decay) * (px[i] - pa[i]) }
            }
        }
    }
}
