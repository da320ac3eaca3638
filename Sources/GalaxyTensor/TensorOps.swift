/// The tensor API: each op validates its operands (naming the shapes when they disagree) and
/// hands the work to the tensor's backend. These are forward computations only; GalaxyAutodiff
/// wraps each of them with its backward.
extension Tensor {
    /// Precondition that two tensors live on the same backend.
    public func requireSameBackend(_ other: Tensor, _ op: String) {
        require(backend === other.backend,
                     "\(op): operands on different backends (\(backend.name) and \(other.backend.name))")
    }

    // MARK: Elementwise

    public static func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor {
        a.requireSameBackend(b, "\(operation)")
        require(Shape.broadcast(a.shape, b.shape) != nil,
                     "\(operation): shapes \(a.shape) and \(b.shape) do not broadcast")
        return a.backend.binary(operation, a, b)
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.subtract, a, b) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.multiply, a, b) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.divide, a, b) }
    public static func + (a: Tensor, s: Float) -> Tensor { a.applying(.addScalar(s)) }
    public static func - (a: Tensor, s: Float) -> Tensor { a.applying(.addScalar(-s)) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.applying(.multiplyScalar(s)) }
    public static func / (a: Tensor, s: Float) -> Tensor { a.applying(.multiplyScalar(1 / s)) }
    public static prefix func - (a: Tensor) -> Tensor { a.applying(.negate) }

    public func applying(_ operation: UnaryOperation) -> Tensor { backend.unary(operation, self) }

    // MARK: Reductions

    /// Normalises possibly negative axes and checks them.
    public func normalizedAxes(_ axes: [Int], _ op: String) -> [Int] {
        let result = axes.map { $0 < 0 ? $0 + rank : $0 }
        require(result.allSatisfy { $0 >= 0 && $0 < rank } && Set(result).count == result.count,
                     "\(op): axes \(axes) invalid for shape \(shape)")
        return result.sorted()
    }

    /// Sum over `axes` (all axes when nil), dropping them unless `keepingDimensions`.
    public func sum(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes ?? Array(0..<rank), "sum")
        let kept = backend.sum(self, axes: axes)
        return keepingDimensions ? kept : kept.reshaped(shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element))
    }

    /// Mean over `axes` (all axes when nil).
    public func mean(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes ?? Array(0..<rank), "mean")
        let n = axes.map { shape[$0] }.reduce(1, *)
        return sum(axes: axes, keepingDimensions: keepingDimensions) * (1 / Float(max(n, 1)))
    }

    /// Repeats extent-1 axes to reach `shape` (NumPy broadcast_to).
    public func broadcast(to target: [Int]) -> Tensor {
        require(Shape.broadcast(shape, target) == target, "broadcast: shape \(shape) cannot broadcast to \(target)")
        return shape == target ? self : backend.broadcast(self, to: target)
    }

    /// Sums a broadcast result back down to `target` (the adjoint of `broadcast(to:)`).
    public func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        require(Shape.broadcast(target, shape) == shape, "sumToShape: \(target) does not broadcast to \(shape)")
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for (i, extent) in target.enumerated() where extent == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        return backend.sum(self, axes: axes).reshaped(target)
    }

    // MARK: Matrix product

    /// op(a)·op(b) for rank-2 tensors.
    public static func matmul(_ a: Tensor, transposeA: Bool = false, _ b: Tensor, transposeB: Bool = false) -> Tensor {
        a.requireSameBackend(b, "matmul")
        require(a.rank == 2 && b.rank == 2, "matmul: operands must be rank 2, got \(a.shape) and \(b.shape)")
        let k1 = transposeA ? a.shape[0] : a.shape[1], k2 = transposeB ? b.shape[1] : b.shape[0]
        require(k1 == k2, "matmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        return a.backend.matmul(a, transposeA: transposeA, b, transposeB: transposeB)
    }

    // MARK: Data movement

    /// Reorders the axes: result axis i is input axis `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        require(axes.sorted() == Array(0..<rank), "permute: \(axes) is not a permutation of the axes of \(shape)")
        return backend.permute(self, axes: axes)
    }

    /// Elements `range` along `axis`.
    public func sliced(axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = normalizedAxes([axis], "slice")[0]
        require(range.lowerBound >= 0 && range.upperBound <= shape[axis],
                     "slice: range \(range) out of bounds for axis \(axis) of shape \(shape)")
        return backend.slice(self, axis: axis, range: range)
    }

    /// Joins tensors along `axis`; all other extents must agree.
    public static func concatenate(_ xs: [Tensor], axis: Int) -> Tensor {
        require(!xs.isEmpty, "concatenate: no tensors")
        let axis = xs[0].normalizedAxes([axis], "concatenate")[0]
        for x in xs.dropFirst() {
            xs[0].requireSameBackend(x, "concatenate")
            var a = xs[0].shape, b = x.shape
            require(a.count == b.count, "concatenate: ranks differ: \(a) and \(b)")
            a[axis] = 0; b[axis] = 0
            require(a == b, "concatenate: shapes \(xs[0].shape) and \(x.shape) differ off axis \(axis)")
        }
        return xs[0].backend.concatenate(xs, axis: axis)
    }

    /// Rotates the two spatial (last) axes by `turns` × 90°, counter-clockwise as displayed.
    public func rotated90(turns: Int = 1) -> Tensor {
        require(rank >= 2, "rotate90: needs two spatial axes, got shape \(shape)")
        return backend.rotate90(self, turns: turns)
    }

    /// Mirrors the last (width) axis.
    public func flippedHorizontally() -> Tensor {
        require(rank >= 1, "flip: scalar has no axis to flip")
        return backend.flipHorizontal(self)
    }

    // MARK: Neural-network ops

    /// Max over consecutive groups of `groupSize` features of the last axis.
    public func maxout(groupSize: Int) -> Tensor {
        require(rank >= 1 && groupSize > 0 && shape[rank - 1] % groupSize == 0,
                     "maxout: last extent of \(shape) is not a multiple of the group size \(groupSize)")
        return backend.maxout(self, groupSize: groupSize)
    }

    /// Row-wise log-softmax of a rank-2 tensor.
    public func logSoftmax() -> Tensor {
        require(rank == 2, "logSoftmax: expected [rows, classes], got \(shape)")
        return backend.logSoftmax(self)
    }

    /// Per-row negative log-likelihood of `counts` under one Dirichlet-multinomial per question
    /// (column ranges of the last axis), `self` holding the concentrations: [rows, answers] → [rows].
    public func dirichletMultinomialLoss(counts: Tensor, questions: [Range<Int>]) -> Tensor {
        require(rank == 2 && counts.shape == shape, "dirichletMultinomialLoss: concentrations \(shape) and counts \(counts.shape) must be the same [rows, answers]")
        require(questions.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= shape[1] && !$0.isEmpty },
                "dirichletMultinomialLoss: questions \(questions) do not fit \(shape[1]) answers")
        return backend.dirichletMultinomialLoss(concentrations: self, counts: counts, questions: questions)
    }

    /// Validates a convolution's operands and returns its output shape.
    public static func conv2dOutputShape(input: [Int], weight: [Int], bias: ConvolutionBias,
                                         geometry: Convolution2DGeometry) -> [Int] {
        require(input.count == 4, "conv2d: input must be NCHW, got \(input)")
        require(weight.count == 4, "conv2d: weight must be [out, in, kh, kw], got \(weight)")
        require(input[1] == weight[1], "conv2d: input \(input) has \(input[1]) channels but weight \(weight) expects \(weight[1])")
        let (oh, ow) = geometry.outputSize(height: input[2], width: input[3], kernelHeight: weight[2], kernelWidth: weight[3])
        require(oh > 0 && ow > 0, "conv2d: kernel \(weight[2])x\(weight[3]) does not fit input \(input) with \(geometry)")
        switch bias {
        case .none: break
        case .tied(let b): require(b.shape == [weight[0]], "conv2d: tied bias must be [\(weight[0])], got \(b.shape)")
        case .untied(let b): require(b.shape == [weight[0], oh, ow], "conv2d: untied bias must be [\(weight[0]), \(oh), \(ow)], got \(b.shape)")
        }
        return [input[0], weight[0], oh, ow]
    }

    /// 2-D cross-correlation (no filter flip) of NCHW input with [out, in, kh, kw] weights.
    public func conv2d(weight: Tensor, bias: ConvolutionBias = .none, geometry: Convolution2DGeometry = .valid(), fuseReLU: Bool = false) -> Tensor {
        requireSameBackend(weight, "conv2d")
        _ = Tensor.conv2dOutputShape(input: shape, weight: weight.shape, bias: bias, geometry: geometry)
        return backend.conv2d(self, weight: weight, bias: bias, geometry: geometry, fuseReLU: fuseReLU)
    }

    /// Max-pooling over NCHW windows.
    public func maxPool2d(_ geometry: Pooling2DGeometry) -> PoolingResult {
        require(rank == 4, "maxPool2d: input must be NCHW, got \(shape)")
        let (oh, ow) = geometry.outputSize(height: shape[2], width: shape[3])
        require(oh > 0 && ow > 0, "maxPool2d: window \(geometry.windowY)x\(geometry.windowX) larger than input \(shape)")
        return backend.maxPool2d(self, geometry: geometry)
    }

    /// Cross-map local response normalisation of NCHW input.
    public func localResponseNorm(_ parameters: LocalResponseNormParameters) -> PoolingResult {
        require(rank == 4, "localResponseNorm: input must be NCHW, got \(shape)")
        return backend.localResponseNorm(self, parameters: parameters)
    }
}
