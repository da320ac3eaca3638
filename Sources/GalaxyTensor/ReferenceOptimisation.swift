/// The reference loops of the weight-update kernels: an elementwise program one scalar element
/// at a time (its definition, which the fast backends are tested against), and max-norm.
extension ReferenceBackend {
    public func run<P: ElementwiseProgram>(_ program: P, updating s0: inout Tensor, _ s1: inout Tensor, _ s2: inout Tensor, _ s3: inout Tensor,
                                           reading input: Tensor) {
        program.withBuffers(&s0, &s1, &s2, &s3, input: input) { buffers, x, count in program.run(buffers, x, 0..<count, vectorised: false) }
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
}
