/// A fused elementwise update, declared where it is used (optimisers, weight averages) and
/// evaluated by a backend in one pass over memory: per element it reads one input value and
/// updates up to four state values in place. The tensor core knows how to run such a program,
/// not what it computes — "AdamW" lives with the optimisers.
///
/// `apply` on scalars is the definition; the SIMD form must do the same operations in the same
/// order lane by lane (IEEE arithmetic, division and square root round the same in SIMD, and
/// Swift fuses no multiply-add), so both give the same bits — the agreement tests compare exactly.
public protocol ElementwiseProgram: Sendable {
    /// How many state tensors the program updates (1...4); the others are not touched.
    static var stateCount: Int { get }
    func apply(_ s0: inout Float, _ s1: inout Float, _ s2: inout Float, _ s3: inout Float, _ x: Float)
    func apply(_ s0: inout SIMD4<Float>, _ s1: inout SIMD4<Float>, _ s2: inout SIMD4<Float>, _ s3: inout SIMD4<Float>, _ x: SIMD4<Float>)
    /// Runs the program over `range` of the buffers (for backends). A requirement with a default,
    /// so each program's witness is the default specialised for it: one dynamic call per range,
    /// not per element.
    func run(_ s: ProgramBuffers, _ x: UnsafePointer<Float>, _ range: Range<Int>, vectorised: Bool)
}

/// The state buffers of one program run (unused ones alias the first, which the program never
/// touches through them).
public struct ProgramBuffers {
    public let s0: UnsafeMutablePointer<Float>, s1: UnsafeMutablePointer<Float>, s2: UnsafeMutablePointer<Float>, s3: UnsafeMutablePointer<Float>

    public init(s0: UnsafeMutablePointer<Float>, s1: UnsafeMutablePointer<Float>, s2: UnsafeMutablePointer<Float>, s3: UnsafeMutablePointer<Float>) {
        (self.s0, self.s1, self.s2, self.s3) = (s0, s1, s2, s3)
    }

    /// The same buffers from element `offset` on.
    public func advanced(by offset: Int) -> ProgramBuffers {
        ProgramBuffers(s0: s0 + offset, s1: s1 + offset, s2: s2 + offset, s3: s3 + offset)
    }
}

extension ElementwiseProgram {
    /// Runs the program over `range` of the state buffers, reading `x` at the same indices.
    @inlinable public func run(_ s: ProgramBuffers, _ x: UnsafePointer<Float>, _ range: Range<Int>, vectorised: Bool) {
        let n = Self.stateCount
        var i = range.lowerBound
        if vectorised {
            @inline(__always) func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD4<Float> { UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Float>.self) }
            @inline(__always) func store(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) { UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD4<Float>.self) }
            while i + 4 <= range.upperBound {
                var a = load(s.s0, i), b = n > 1 ? load(s.s1, i) : .zero, c = n > 2 ? load(s.s2, i) : .zero, d = n > 3 ? load(s.s3, i) : .zero
                apply(&a, &b, &c, &d, load(x, i))
                store(a, s.s0, i)
                if n > 1 { store(b, s.s1, i) }
                if n > 2 { store(c, s.s2, i) }
                if n > 3 { store(d, s.s3, i) }
                i += 4
            }
        }
        for j in i..<range.upperBound {
            var a = s.s0[j], b: Float = n > 1 ? s.s1[j] : 0, c: Float = n > 2 ? s.s2[j] : 0, d: Float = n > 3 ? s.s3[j] : 0
            apply(&a, &b, &c, &d, x[j])
            s.s0[j] = a
            if n > 1 { s.s1[j] = b }
            if n > 2 { s.s2[j] = c }
            if n > 3 { s.s3[j] = d }
        }
    }

    /// For backends: the buffers of the used states and of the input, checked to be one size,
    /// handed to `body` with that size (an unused state gets the first state's buffer).
    public func withBuffers(_ s0: inout Tensor, _ s1: inout Tensor, _ s2: inout Tensor, _ s3: inout Tensor, input: Tensor,
                            _ body: (ProgramBuffers, UnsafePointer<Float>, Int) -> Void) {
        let n = Self.stateCount, count = s0.count, x = input.plain
        require((1...4).contains(n), "\(Self.self): \(n) states; a program updates 1 to 4")
        require(x.count == count && [s1, s2, s3].prefix(n - 1).allSatisfy { $0.count == count },
                "\(Self.self): states and input differ in size (\(s0.shape), \(s1.shape), \(s2.shape), \(s3.shape), \(input.shape))")
        guard count > 0 else { return }
        x.withUnsafeBufferPointer { px in
            s0.withUnsafeMutableBufferPointer { p0 in
                let a = p0.baseAddress!
                func state(_ t: inout Tensor, _ used: Bool, _ next: (UnsafeMutablePointer<Float>) -> Void) {
                    if used { t.withUnsafeMutableBufferPointer { next($0.baseAddress!) } } else { next(a) }
                }
                state(&s1, n > 1) { b in state(&s2, n > 2) { c in state(&s3, n > 3) { d in
                    body(ProgramBuffers(s0: a, s1: b, s2: c, s3: d), px.baseAddress!, count)
                } } }
            }
        }
    }
}

extension Backend {
    /// Runs `program` on one state tensor.
    public func run(_ program: some ElementwiseProgram, updating s0: inout Tensor, reading input: Tensor) {
        var u1 = Tensor.unused(on: self), u2 = u1, u3 = u1
        runChecked(program, 1, &s0, &u1, &u2, &u3, input)
    }

    /// Runs `program` on two state tensors.
    public func run(_ program: some ElementwiseProgram, updating s0: inout Tensor, _ s1: inout Tensor, reading input: Tensor) {
        var u2 = Tensor.unused(on: self), u3 = u2
        runChecked(program, 2, &s0, &s1, &u2, &u3, input)
    }

    /// Runs `program` on three state tensors.
    public func run(_ program: some ElementwiseProgram, updating s0: inout Tensor, _ s1: inout Tensor, _ s2: inout Tensor,
                    reading input: Tensor) {
        var u3 = Tensor.unused(on: self)
        runChecked(program, 3, &s0, &s1, &s2, &u3, input)
    }

    private func runChecked<P: ElementwiseProgram>(_ program: P, _ given: Int, _ s0: inout Tensor, _ s1: inout Tensor, _ s2: inout Tensor,
                                                   _ s3: inout Tensor, _ input: Tensor) {
        require(P.stateCount == given, "run: the program updates \(P.stateCount) tensors, \(given) given")
        run(program, updating: &s0, &s1, &s2, &s3, reading: input)
    }
}

extension Tensor {
    /// An empty placeholder, on the program's backend, for a state it does not use.
    static func unused(on backend: any Backend) -> Tensor { Tensor(shape: [0], scalars: [], backend: backend) }
}
