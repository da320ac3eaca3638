import GalaxyTensor

/// The optimisers' and the weight average's per-element updates, as elementwise programs a
/// backend runs in one pass (`Backend.run(_:updating:…)`): each `apply` on scalars is the
/// definition, and its SIMD form does the same operations in the same order.

/// One SGD-with-momentum step on (weight, velocity) from the gradient:
/// v ← μ·v − η·g, then w ← w + μ·v − η·g (Nesterov) or w ← w + v (classical).
public struct SGDUpdate: ElementwiseProgram, Equatable {
    public static let stateCount = 2
    public var learningRate: Float, momentum: Float, nesterov: Bool

    public init(learningRate: Float, momentum: Float, nesterov: Bool) { (self.learningRate, self.momentum, self.nesterov) = (learningRate, momentum, nesterov) }

    @inlinable @inline(__always) public func apply(_ w: inout Float, _ v: inout Float, _ unused: inout Float, _ unused3: inout Float, _ g: Float) {
        let step = momentum * v - learningRate * g
        v = step
        w += nesterov ? momentum * step - learningRate * g : step
    }

    @inlinable @inline(__always) public func apply(_ w: inout SIMD4<Float>, _ v: inout SIMD4<Float>, _ unused: inout SIMD4<Float>, _ unused3: inout SIMD4<Float>, _ g: SIMD4<Float>) {
        let step = momentum * v - learningRate * g
        v = step
        w += nesterov ? momentum * step - learningRate * g : step
    }
}

/// An exponential moving average step on the average from the current value: a ← a + (1 − decay)·(x − a).
public struct MovingAverageUpdate: ElementwiseProgram, Equatable {
    public static let stateCount = 1
    /// 1 − decay, the share of the new value.
    public var keep: Float

    public init(decay: Float) { keep = 1 - decay }

    @inlinable @inline(__always) public func apply(_ a: inout Float, _ u1: inout Float, _ u2: inout Float, _ u3: inout Float, _ x: Float) { a += keep * (x - a) }
    @inlinable @inline(__always) public func apply(_ a: inout SIMD4<Float>, _ u1: inout SIMD4<Float>, _ u2: inout SIMD4<Float>, _ u3: inout SIMD4<Float>,
                                                       _ x: SIMD4<Float>) {
        a += keep * (x - a)
    }
}

/// The constants of one AdamW step (Loshchilov & Hutter 2019, decoupled weight decay), bias
/// corrections included, and the update of one element on (weight, first moment, second moment)
/// from the gradient.
///
/// The bias corrections are folded into the constants, as PyTorch's AdamW does: the step is
/// (η/c₁)·m / (√v/√c₂ + ε), one square root and one division per element instead of three
/// divisions and a square root — the same quantity (rounded differently in the last bits), and the
/// pass over the best model's 42M weights no longer bound by the divider.
public struct AdamWParameters: ElementwiseProgram, Equatable {
    public static let stateCount = 3
    public let beta1: Float, beta2: Float, epsilon: Float
    /// η·λ: the decoupled decay's share of a weight taken each update (0 for biases).
    public let decayStep: Float
    /// η/c₁ with c₁ = 1 − β₁ᵗ for update t (counted from 1).
    public let stepSize: Float
    /// 1/√c₂ with c₂ = 1 − β₂ᵗ.
    public let inverseRootCorrection: Float

    /// The constants of update `t` (1, 2, …).
    public init(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, t: Int) {
        require(t >= 1, "AdamWParameters: update count \(t) starts at 1")
        (self.beta1, self.beta2, self.epsilon) = (beta1, beta2, epsilon)
        decayStep = learningRate * weightDecay
        // In Double: β₂ᵗ of 0.999 needs the precision for t in the thousands.
        let firstCorrection = 1 - Double.integerPower(Double(beta1), t), secondCorrection = 1 - Double.integerPower(Double(beta2), t)
        stepSize = Float(Double(learningRate) / firstCorrection)
        inverseRootCorrection = Float(1 / secondCorrection.squareRoot())
    }

    /// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − η·λ·w − (η/c₁)·m/(√v/√c₂ + ε).
    @inlinable @inline(__always) public func apply(_ w: inout Float, _ m: inout Float, _ v: inout Float, _ unused: inout Float, _ g: Float) {
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        w -= decayStep * w
        w -= stepSize * m / (v.squareRoot() * inverseRootCorrection + epsilon)
    }

    /// Four elements at once: the same operations in the same order.
    @inlinable @inline(__always) public func apply(_ w: inout SIMD4<Float>, _ m: inout SIMD4<Float>, _ v: inout SIMD4<Float>, _ unused: inout SIMD4<Float>,
                                                       _ g: SIMD4<Float>) {
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        w -= decayStep * w
        w -= stepSize * m / (v.squareRoot() * inverseRootCorrection + epsilon)
    }
}

/// An optimiser's update followed, in the same pass, by the weight average's step on the new
/// weight: the update's states, then the average as one more state. The same operations in the
/// same order as the two passes one after the other, so the same bits; one read of the weights
/// fewer (the fast recipe's AdamW with an average moves 4 instead of 5 tensors per weight).
public struct AveragedUpdate<Update: ElementwiseProgram>: ElementwiseProgram {
    public static var stateCount: Int { Update.stateCount + 1 }
    public var update: Update
    public var average: MovingAverageUpdate

    public init(_ update: Update, average: MovingAverageUpdate) {
        require(Update.stateCount < 4, "AveragedUpdate: \(Update.self) leaves no state for the average")
        (self.update, self.average) = (update, average)
    }

    @inlinable @inline(__always) public func apply(_ s0: inout Float, _ s1: inout Float, _ s2: inout Float, _ s3: inout Float, _ x: Float) {
        var u1: Float = 0, u2: Float = 0, u3: Float = 0
        switch Update.stateCount {
        case 1: update.apply(&s0, &u1, &u2, &u3, x); average.apply(&s1, &u1, &u2, &u3, s0)
        case 2: update.apply(&s0, &s1, &u2, &u3, x); average.apply(&s2, &u1, &u2, &u3, s0)
        default: update.apply(&s0, &s1, &s2, &u3, x); average.apply(&s3, &u1, &u2, &u3, s0)
        }
    }

    @inlinable @inline(__always) public func apply(_ s0: inout SIMD4<Float>, _ s1: inout SIMD4<Float>, _ s2: inout SIMD4<Float>,
                                                   _ s3: inout SIMD4<Float>, _ x: SIMD4<Float>) {
        var u1 = SIMD4<Float>.zero, u2 = u1, u3 = u1
        switch Update.stateCount {
        case 1: update.apply(&s0, &u1, &u2, &u3, x); average.apply(&s1, &u1, &u2, &u3, s0)
        case 2: update.apply(&s0, &s1, &u2, &u3, x); average.apply(&s2, &u1, &u2, &u3, s0)
        default: update.apply(&s0, &s1, &s2, &u3, x); average.apply(&s3, &u1, &u2, &u3, s0)
        }
    }

    /// The two programs one after the other over blocks small enough that the new weights are still
    /// in cache for the average: one pass over memory, and each program's own specialised loop
    /// (this generic type's per-element `apply` would reach them through their witnesses).
    public func run(_ s: ProgramBuffers, _ x: UnsafePointer<Float>, _ range: Range<Int>, vectorised: Bool) {
        let averages = switch Update.stateCount { case 1: s.s1; case 2: s.s2; default: s.s3 }
        let averageBuffers = ProgramBuffers(s0: averages, s1: averages, s2: averages, s3: averages)
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(range.upperBound, start + 4096)
            update.run(s, x, start..<end, vectorised: vectorised)
            average.run(averageBuffers, UnsafePointer(s.s0), start..<end, vectorised: vectorised)
            start = end
        }
    }
}

extension Double {
    /// xⁿ by repeated squaring (no libm: the reference stays exact to the last bit everywhere).
    static func integerPower(_ x: Double, _ n: Int) -> Double {
        var result = 1.0, base = x, n = n
        while n > 0 { if n & 1 == 1 { result *= base }; base *= base; n >>= 1 }
        return result
    }
}
