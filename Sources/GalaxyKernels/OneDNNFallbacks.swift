import GalaxyTensor

/// The ops oneDNN and OpenBLAS do not accelerate here, each run by the reference loops: this
/// file is the whole list. The loops read this backend's blocked layouts through `.plain` and
/// their outputs belong to this backend. To accelerate one, move it out of this file. Two fast
/// kernels also hand rare shapes to the reference inside their own bodies: `binary` for
/// broadcasts other than repetition along leading axes, `sum` over axes that are not leading.
extension OneDNNBackend {
    /// The names of the ops below, for `bench kernels` and the tests.
    public static let referenceFallbacks = [
        "broadcast", "permute", "slice", "concatenate", "rotate90", "flipHorizontal", "maxout", "maxoutBackward",
        "logSoftmax", "logSoftmaxBackward", "maxNormColumns", "dirichletMultinomialLoss", "dirichletMultinomialLossBackward",
    ]

    public func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor { reference.broadcast(x, to: shape) }
    public func permute(_ x: Tensor, axes: [Int]) -> Tensor { reference.permute(x, axes: axes) }
    public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor { reference.slice(x, axis: axis, range: range) }
    public func concatenate(_ xs: [Tensor], axis: Int) -> Tensor { reference.concatenate(xs, axis: axis) }
    public func rotate90(_ x: Tensor, turns: Int) -> Tensor { reference.rotate90(x, turns: turns) }
    public func flipHorizontal(_ x: Tensor) -> Tensor { reference.flipHorizontal(x) }

    public func maxout(_ x: Tensor, groupSize: Int) -> Tensor { reference.maxout(x, groupSize: groupSize) }
    public func maxoutBackward(input: Tensor, groupSize: Int, outputGradient: Tensor) -> Tensor {
        reference.maxoutBackward(input: input, groupSize: groupSize, outputGradient: outputGradient)
    }

    public func logSoftmax(_ x: Tensor) -> Tensor { reference.logSoftmax(x) }
    public func logSoftmaxBackward(output: Tensor, outputGradient: Tensor) -> Tensor {
        reference.logSoftmaxBackward(output: output, outputGradient: outputGradient)
    }

    public func dirichletMultinomialLoss(concentrations: Tensor, counts: Tensor, questions: [Range<Int>]) -> Tensor {
        reference.dirichletMultinomialLoss(concentrations: concentrations, counts: counts, questions: questions)
    }
    public func dirichletMultinomialLossBackward(concentrations: Tensor, counts: Tensor, questions: [Range<Int>], outputGradient: Tensor) -> Tensor {
        reference.dirichletMultinomialLossBackward(concentrations: concentrations, counts: counts, questions: questions, outputGradient: outputGradient)
    }

    public func maxNormColumns(_ weight: inout Tensor, limit: Float) { reference.maxNormColumns(&weight, limit: limit) }
}
