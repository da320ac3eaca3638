import GalaxyTensor

// Every differentiable op, its forward and its backward side by side. The forward computes with
// the tensor API (which validates shapes and picks the backend's kernel); the backward closure
// says how the output gradient becomes input gradients.

// MARK: - Elementwise arithmetic (broadcasting)

extension Variable {
    static func binary(_ operation: BinaryOperation, _ a: Variable, _ b: Variable) -> Variable {
        let (x, y) = (a.value, b.value)
        let value = Tensor.binary(operation, x, y)
        let (needA, needB) = (a.requiresGradient, b.requiresGradient)
        return record(value, inputs: [a, b]) { g in
            switch operation {
            case .add:
                return [needA ? g.sumToShape(x.shape) : nil, needB ? g.sumToShape(y.shape) : nil]
            case .subtract:
                return [needA ? g.sumToShape(x.shape) : nil, needB ? (-g).sumToShape(y.shape) : nil]
            case .multiply:
                return [needA ? (g * y).sumToShape(x.shape) : nil, needB ? (g * x).sumToShape(y.shape) : nil]
            case .divide:
                // d(x/y)/dy = −x/y² = −value/y.
                return [needA ? (g / y).sumToShape(x.shape) : nil, needB ? (-(g * value) / y).sumToShape(y.shape) : nil]
            }
        }
    }

    public static func + (a: Variable, b: Variable) -> Variable { binary(.add, a, b) }
    public static func - (a: Variable, b: Variable) -> Variable { binary(.subtract, a, b) }
    public static func * (a: Variable, b: Variable) -> Variable { binary(.multiply, a, b) }
    public static func / (a: Variable, b: Variable) -> Variable { binary(.divide, a, b) }
    public static func + (a: Variable, s: Float) -> Variable { a.applying(.addScalar(s)) }
    public static func - (a: Variable, s: Float) -> Variable { a.applying(.addScalar(-s)) }
    public static func * (a: Variable, s: Float) -> Variable { a.applying(.multiplyScalar(s)) }
    public static func / (a: Variable, s: Float) -> Variable { a.applying(.multiplyScalar(1 / s)) }
    public static prefix func - (a: Variable) -> Variable { a.applying(.negate) }

    /// An elementwise function (ReLU, exp, log, tanh, clip, scalar arithmetic, …).
    public func applying(_ operation: UnaryOperation) -> Variable {
        let x = value
        let y = x.applying(operation)
        return Variable.record(y, inputs: [self]) { g in
            [x.backend.unaryBackward(operation, input: x, output: y, outputGradient: g)]
        }
    }

    public func relu() -> Variable { applying(.relu) }
    public func exp() -> Variable { applying(.exp) }
    public func log() -> Variable { applying(.log) }
    public func tanh() -> Variable { applying(.tanh) }
    public func sigmoid() -> Variable { applying(.sigmoid) }
    public func squared() -> Variable { applying(.square) }
    public func squareRoot() -> Variable { applying(.squareRoot) }
    public func clipped(_ low: Float, _ high: Float) -> Variable { applying(.clip(low: low, high: high)) }
}

// MARK: - Reductions

extension Variable {
    /// Sum over `axes` (all when nil).
    public func sum(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Variable {
        let x = value
        let kept = x.normalizedAxes(axes ?? Array(0..<x.rank), "sum")
        let y = x.sum(axes: kept, keepingDimensions: keepingDimensions)
        return Variable.record(y, inputs: [self]) { g in
            var keptShape = x.shape
            for a in kept { keptShape[a] = 1 }
            return [g.reshaped(keptShape).broadcast(to: x.shape)]
        }
    }

    /// Mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepingDimensions: Bool = false) -> Variable {
        let kept = value.normalizedAxes(axes ?? Array(0..<value.rank), "mean")
        let n = kept.map { value.shape[$0] }.reduce(1, *)
        return sum(axes: kept, keepingDimensions: keepingDimensions) * (1 / Float(max(n, 1)))
    }
}

// MARK: - Matrix product

/// op(a)·op(b) for rank-2 variables; the backward reuses the transpose flags instead of copying.
public func matmul(_ a: Variable, transposeA: Bool = false, _ b: Variable, transposeB: Bool = false) -> Variable {
    let (x, w) = (a.value, b.value)
    let y = Tensor.matmul(x, transposeA: transposeA, w, transposeB: transposeB)
    let (needA, needB) = (a.requiresGradient, b.requiresGradient)
    return Variable.record(y, inputs: [a, b], kind: "matmul") { g in
        // C = A·B: dA = dC·Bᵀ, dB = Aᵀ·dC; with transposed operands the roles swap.
        let da: Tensor? = !needA ? nil : transposeA
            ? Tensor.matmul(w, transposeA: transposeB, g, transposeB: true)
            : Tensor.matmul(g, w, transposeB: !transposeB)
        let db: Tensor? = !needB ? nil : transposeB
            ? Tensor.matmul(g, transposeA: true, x, transposeB: transposeA)
            : Tensor.matmul(x, transposeA: !transposeA, g)
        return [da, db]
    }
}

// MARK: - Shape and data movement

extension Variable {
    public func reshaped(_ shape: [Int]) -> Variable {
        let original = value.shape
        return Variable.record(value.reshaped(shape), inputs: [self]) { g in [g.reshaped(original)] }
    }

    public func permuted(_ axes: [Int]) -> Variable {
        var inverse = [Int](repeating: 0, count: axes.count)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return Variable.record(value.permuted(axes), inputs: [self]) { g in [g.permuted(inverse)] }
    }

    public func sliced(axis: Int, _ range: Range<Int>) -> Variable {
        let x = value
        let axis = x.normalizedAxes([axis], "slice")[0]
        return Variable.record(x.sliced(axis: axis, range), inputs: [self]) { g in
            // Zero blocks around the gradient put it back in place.
            var parts: [Tensor] = []
            var before = x.shape, after = x.shape
            before[axis] = range.lowerBound
            after[axis] = x.shape[axis] - range.upperBound
            if before[axis] > 0 { parts.append(Tensor(zeros: before, backend: x.backend)) }
            parts.append(g)
            if after[axis] > 0 { parts.append(Tensor(zeros: after, backend: x.backend)) }
            return [parts.count == 1 ? g : Tensor.concatenate(parts, axis: axis)]
        }
    }

    public static func concatenate(_ xs: [Variable], axis: Int) -> Variable {
        let y = Tensor.concatenate(xs.map(\.value), axis: axis)
        let axis = y.normalizedAxes([axis], "concatenate")[0]
        let extents = xs.map { $0.shape[axis] }
        let needs = xs.map(\.requiresGradient)
        return record(y, inputs: xs) { g in
            var offset = 0
            return zip(extents, needs).map { extent, need in
                defer { offset += extent }
                return need ? g.sliced(axis: axis, offset..<(offset + extent)) : nil
            }
        }
    }

    /// Rotation of the two spatial axes by multiples of 90° (counter-clockwise as displayed).
    public func rotated90(turns: Int = 1) -> Variable {
        Variable.record(value.rotated90(turns: turns), inputs: [self]) { g in [g.rotated90(turns: -turns)] }
    }

    /// Left–right mirror of the last axis.
    public func flippedHorizontally() -> Variable {
        Variable.record(value.flippedHorizontally(), inputs: [self]) { g in [g.flippedHorizontally()] }
    }
}

// MARK: - Neural-network ops

extension Variable {
    /// Max over consecutive groups of `groupSize` features (maxout units).
    public func maxout(groupSize: Int) -> Variable {
        let x = value
        return Variable.record(x.maxout(groupSize: groupSize), inputs: [self], kind: "maxout") { g in
            [x.backend.maxoutBackward(input: x, groupSize: groupSize, outputGradient: g)]
        }
    }

    /// Inverted dropout: in training each element is kept with probability 1 − rate and scaled by
    /// 1/(1 − rate); at inference it is the identity. The mask comes from `generator`.
    public func dropout(rate: Float, training: Bool, generator: inout SeededGenerator) -> Variable {
        require(rate >= 0 && rate < 1, "dropout: rate must be in [0, 1), got \(rate)")
        guard training, rate > 0 else { return self }
        let keep = 1 - rate, scale = 1 / (1 - rate)
        let mask = (0..<value.count).map { _ in generator.nextUniform() < keep ? scale : 0 }
        return self * Variable(Tensor(shape: value.shape, scalars: mask, backend: backend))
    }

    /// The same with one mask stream per example: row r of a [rows, features] input draws from
    /// `examples[r % examples.count]`, so an example's mask does not depend on which other
    /// examples share its batch (rows j·B + b of a per-part layer all belong to example b).
    public func dropout(rate: Float, training: Bool, examples: inout [SeededGenerator]) -> Variable {
        require(rate >= 0 && rate < 1, "dropout: rate must be in [0, 1), got \(rate)")
        guard training, rate > 0 else { return self }
        require(shape.count == 2 && !examples.isEmpty && shape[0] % examples.count == 0,
                "dropout: \(examples.count) example streams for a [rows, features] input of shape \(shape)")
        let keep = 1 - rate, scale = 1 / (1 - rate), features = shape[1]
        var mask = [Float](repeating: 0, count: value.count)
        for row in 0..<shape[0] {
            for f in 0..<features { mask[row * features + f] = examples[row % examples.count].nextUniform() < keep ? scale : 0 }
        }
        return self * Variable(Tensor(shape: value.shape, scalars: mask, backend: backend))
    }

    /// Row-wise log-softmax of [rows, classes].
    public func logSoftmax() -> Variable {
        let y = value.logSoftmax()
        return Variable.record(y, inputs: [self]) { g in [y.backend.logSoftmaxBackward(output: y, outputGradient: g)] }
    }

    /// Per-row negative log-likelihood of vote `counts` (constant) under one Dirichlet-multinomial
    /// per question, this variable holding the concentrations: [rows, answers] → [rows].
    public func dirichletMultinomialLoss(counts: Tensor, questions: [Range<Int>]) -> Variable {
        let alpha = value
        return Variable.record(alpha.dirichletMultinomialLoss(counts: counts, questions: questions), inputs: [self]) { g in
            [alpha.backend.dirichletMultinomialLossBackward(concentrations: alpha, counts: counts, questions: questions, outputGradient: g)]
        }
    }

    /// Max-pooling; windows may overlap (window > stride).
    public func maxPool2d(_ geometry: Pooling2DGeometry) -> Variable {
        let x = value
        let result = x.maxPool2d(geometry)
        return Variable.record(result.output, inputs: [self], kind: "maxpool") { g in
            [x.backend.maxPool2dBackward(x, geometry: geometry, result: result, outputGradient: g)]
        }
    }

    /// Cross-map local response normalisation.
    public func localResponseNorm(_ parameters: LocalResponseNormParameters) -> Variable {
        let x = value
        let result = x.localResponseNorm(parameters)
        return Variable.record(result.output, inputs: [self]) { g in
            [x.backend.localResponseNormBackward(x, parameters: parameters, result: result, outputGradient: g)]
        }
    }
}

/// How a convolution adds its bias.
public enum BiasMode: String, Sendable, Codable {
    case none, tied, untied
}

/// 2-D cross-correlation of NCHW `input` with [out, in, kh, kw] `weight`, plus an optional tied
/// ([out]) or untied ([out, oh, ow]) bias, optionally followed by ReLU — fused into one kernel
/// where the backend can, which is why they form one op.
public func conv2d(_ input: Variable, weight: Variable, bias: Variable? = nil, biasMode: BiasMode = .tied,
                   geometry: Convolution2DGeometry = .valid(), relu: Bool = false) -> Variable {
    let (x, w) = (input.value, weight.value)
    let kernelBias: ConvolutionBias = switch (bias, biasMode) {
    case (nil, _), (_, .none): .none
    case (let b?, .tied): .tied(b.value)
    case (let b?, .untied): .untied(b.value)
    }
    let y = x.conv2d(weight: w, bias: kernelBias, geometry: geometry, fuseReLU: relu)
    let inputs = [input, weight] + (bias.map { [$0] } ?? [])
    let needsInput = input.requiresGradient
    return Variable.record(y, inputs: inputs, kind: "conv2d") { g in
        let grads = x.backend.conv2dBackward(x, weight: w, bias: kernelBias, geometry: geometry, fuseReLU: relu,
                                             output: y, outputGradient: g, needsInputGradient: needsInput)
        return [grads.input, grads.weight] + (bias == nil ? [] : [grads.bias])
    }
}

// MARK: - Losses (composed, so autodiff derives their gradients)

/// Mean over all elements of (prediction − target)².
public func meanSquaredError(_ prediction: Variable, _ target: Variable) -> Variable {
    require(prediction.shape == target.shape,
                 "meanSquaredError: prediction \(prediction.shape) and target \(target.shape) differ")
    return (prediction - target).squared().mean()
}

/// Mean over rows of −Σ target · log softmax(logits); `target` holds one-hot (or soft) labels.
public func softmaxCrossEntropy(logits: Variable, target: Variable) -> Variable {
    require(logits.shape == target.shape,
                 "softmaxCrossEntropy: logits \(logits.shape) and target \(target.shape) differ")
    return -(logits.logSoftmax() * target).sum(axes: [1]).mean()
}
