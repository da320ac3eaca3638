import GalaxyCore

extension ReferenceBackend {
    /// −log P(counts | concentrations) per row, one Dirichlet-multinomial per question:
    /// log P = log n! − Σ log k_i! + log Γ(A) − log Γ(n + A) + Σ [log Γ(k_i + α_i) − log Γ(α_i)],
    /// with n = Σ k_i and A = Σ α_i over the question's answers. A question nobody answered
    /// (n = 0) has probability 1 and adds 0. Accumulated in double precision.
    public func dirichletMultinomialLoss(concentrations: Tensor, counts: Tensor, questions: [Range<Int>]) -> Tensor {
        let (rows, width) = (concentrations.shape[0], concentrations.shape[1])
        let lg = SpecialFunctions.logGamma
        var loss = output([rows])
        Self.reading(concentrations, counts) { alpha, k in
            loss.withUnsafeMutableBufferPointer { out in
                for r in 0..<rows {
                    var total = 0.0
                    for q in questions {
                        let a = q.map { Double(alpha[r * width + $0]) }, c = q.map { Double(k[r * width + $0]) }
                        let n = c.reduce(0, +), sum = a.reduce(0, +)
                        guard n > 0 else { continue }
                        var logP = lg(n + 1) + lg(sum) - lg(n + sum)
                        for i in a.indices { logP += lg(c[i] + a[i]) - lg(a[i]) - lg(c[i] + 1) }
                        total -= logP
                    }
                    out[r] = Float(total)
                }
            }
        }
        return loss
    }

    /// ∂/∂α_i of the loss: −[ψ(A) − ψ(n + A) + ψ(k_i + α_i) − ψ(α_i)], 0 where n = 0, times the row's gradient.
    public func dirichletMultinomialLossBackward(concentrations: Tensor, counts: Tensor, questions: [Range<Int>], outputGradient: Tensor) -> Tensor {
        let (rows, width) = (concentrations.shape[0], concentrations.shape[1])
        let psi = SpecialFunctions.digamma, g = outputGradient.plain.scalars
        var gradient = zeros(concentrations.shape)
        Self.reading(concentrations, counts) { alpha, k in
            gradient.withUnsafeMutableBufferPointer { out in
                for r in 0..<rows {
                    for q in questions {
                        let n = q.reduce(0.0) { $0 + Double(k[r * width + $1]) }, sum = q.reduce(0.0) { $0 + Double(alpha[r * width + $1]) }
                        guard n > 0 else { continue }
                        let common = psi(sum) - psi(n + sum)
                        for i in q {
                            let a = Double(alpha[r * width + i]), c = Double(k[r * width + i])
                            out[r * width + i] = Float(-Double(g[r]) * (common + psi(c + a) - psi(a)))
                        }
                    }
                }
            }
        }
        return gradient
    }

    /// Runs `body` on the plain elements of two tensors.
    private static func reading(_ x: Tensor, _ y: Tensor, _ body: (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Void) {
        x.plain.withUnsafeBufferPointer { px in y.plain.withUnsafeBufferPointer { py in body(px, py) } }
    }
}
