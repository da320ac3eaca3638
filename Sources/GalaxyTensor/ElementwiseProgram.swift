/// A fused elementwise update, declared where it is used (optimisers, weight averages) and
/// evaluated by a backend in one pass over memory: per element it reads one input value and
/// updates up to three state values in place. The tensor core knows how to run such a program,
/// not what it computes — "AdamW" lives with the optimisers.
///
/// `apply` on scalars is the definition; the SIMD form must do the same operations in the same
/// order lane by lane (IEEE arithmetic, division and square root round the same in SIMD, and
/// Swift fuses no multiply-add), so both give the same bits — the agreement tests compare exactly.
public protocol ElementwiseProgram: Sendable {
    /// How many state tensors the program updates (1...3); the others are not touched.
    static var stateCount: Int { get }
    func apply(_ s0: inout Float, _ s1: inout Float, _ s2: inout Float, _ x: Float)
    func apply(_ s0: inout SIMD4<Float>, _ s1: inout SIMD4<Float>, _ s2: inout SIMD4<Float>, _ x: SIMD4<Float>)
    /// Runs the program over `range` of the buffers (for backends; the default is specialised
    /// for each program where it conforms, so there is one dynamic call per range, not per element).
    func run(_ s0: UnsafeMutablePointer<Float>, _ s1: UnsafeMutablePointer<Float>, _ s2: UnsafeMutablePointer<Float>,
             _ x: UnsafePointer<Float>, _ range: Range<Int>, vectorised: Bool)
}

extension ElementwiseProgram {
    @inlinable public func run(_ s0: UnsafeMutablePointer<Float>, _ s1: UnsafeMutablePointer<Float>, _ s2: UnsafeMutablePointer<Float>,
                               _ x: UnsafePointer<Float>, _ range: Range<Int>, vectorised: Bool) {
        let n = Self.stateCount
        var i = range.lowerBound
        if vectorised {
            @inline(__always) func load(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD4<Float> { UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Float>.self) }
            @inline(__always) func store(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) { UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD4<Float>.self) }
            while i + 4 <= range.upperBound {
                var a = load(s0, i), b = n > 1 ? load(s1, i) : .zero, c = n > 2 ? load(s2, i) : .zero
                apply(&a, &b, &c, load(x, i))
                store(a, s0, i)
                if n > 1 { store(b, s1, i) }
                if n > 2 { store(c, s2, i) }
                i += 4
            }
        }
        for j in i..<range.upperBound {
            var a = s0[j], b: Float = n > 1 ? s1[j] : 0, c: Float = n > 2 ? s2[j] : 0
            apply(&a, &b, &c, x[j])
            s0[j] = a
            if n > 1 { s1[j] = b }
            if n > 2 { s2[j] = c }
        }
    }
}

extension Backend {
    /// Runs `program` on one state tensor.
    public func run(_ program: some ElementwiseProgram, updating s0: inout Tensor, reading input: Tensor) {
        require(type(of: program).stateCount == 1, "run: the program updates \(type(of: program).stateCount) tensors, 1 given")
        var unused1 = Tensor.unused(on: self), unused2 = Tensor.unused(on: self)
        run(program, updating: &s0, &unused1, &unused2, reading: input)
    }

    /// Runs `program` on two state tensors.
    public func run(_ program: some ElementwiseProgram, updating s0: inout Tensor, _ s1: inout Tensor, reading input: Tensor) {
        require(type(of: program).stateCount == 2, "run: the program updates \(type(of: program).stateCount) tensors, 2 given")
        var unused = Tensor.unused(on: self)
        run(program, updating: &s0, &s1, &unused, reading: input)
    }
}

extension Tensor {
    /// An empty placeholder, on the program's backend, for a state it does not use.
    static func unused(on backend: any Backend) -> Tensor { Tensor(shape: [0], scalars: [], backend: backend) }
}

extension ElementwiseProgram {
    /// For backends: the buffers of the used states and of the input, checked to be one size,
    /// handed to `body` with that size (an unused state gets the first state's buffer, which the
    /// program never touches through it).
    public func withBuffers(_ s0: inout Tensor, _ s1: inout Tensor, _ s2: inout Tensor, _ input: Tensor,
                            _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void) {
        let n = Self.stateCount, count = s0.count, x = input.plain
        require((1...3).contains(n), "\(Self.self): \(n) states; a program updates 1 to 3")
        require(x.count == count && (n < 2 || s1.count == count) && (n < 3 || s2.count == count),
                "\(Self.self): states and input differ in size (\(s0.shape), \(s1.shape), \(s2.shape), \(input.shape))")
        x.withUnsafeBufferPointer { px in
            s0.withUnsafeMutableBufferPointer { p0 in
                guard let a = p0.baseAddress, let input = px.baseAddress else { return }
                func second(_ b: UnsafeMutablePointer<Float>) {
                    if n > 2 { s2.withUnsafeMutableBufferPointer { body(a, b, $0.baseAddress!, input, count) } } else { body(a, b, a, input, count) }
                }
                if n > 1 { s1.withUnsafeMutableBufferPointer { second($0.baseAddress!) } } else { second(a) }
            }
        }
    }
}
