/// The constants of one AdamW step (Loshchilov & Hutter 2019, decoupled weight decay), bias
/// corrections included, and the update of one element: the single definition every backend's
/// `adamWStep` applies.
public struct AdamWParameters: Sendable, Equatable {
    public var learningRate: Float
    public var beta1: Float, beta2: Float, epsilon: Float
    public var weightDecay: Float
    /// 1 − β₁ᵗ and 1 − β₂ᵗ for update t (counted from 1).
    public var firstCorrection: Float, secondCorrection: Float

    /// The constants of update `t` (1, 2, …).
    public init(learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, t: Int) {
        require(t >= 1, "AdamWParameters: update count \(t) starts at 1")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        // In Double: β₂ᵗ of 0.999 needs the precision for t in the thousands.
        firstCorrection = Float(1 - Double.integerPower(Double(beta1), t))
        secondCorrection = Float(1 - Double.integerPower(Double(beta2), t))
    }

    /// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − η·λ·w − η·(m/c₁)/(√(v/c₂) + ε).
    @inlinable @inline(__always) public func update(_ w: inout Float, _ m: inout Float, _ v: inout Float, _ g: Float) {
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        w -= learningRate * weightDecay * w
        w -= learningRate * (m / firstCorrection) / ((v / secondCorrection).squareRoot() + epsilon)
    }

    /// `update` on four elements at once, for the fast backends: the same operations in the same
    /// order, lane by lane (IEEE division and square root are exact-rounded in SIMD too, and no
    /// multiply-add is fused), so the bits are the same as four calls of `update` — a test
    /// compares them exactly. Scalar division and square root made the pass compute-bound.
    @inlinable @inline(__always) public func update(_ w: inout SIMD4<Float>, _ m: inout SIMD4<Float>, _ v: inout SIMD4<Float>, _ g: SIMD4<Float>) {
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        w -= learningRate * weightDecay * w
        w -= learningRate * (m / firstCorrection) / ((v / secondCorrection).squareRoot() + epsilon)
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
