import Testing
import GalaxyTensor
import GalaxyKernels
import GalaxyAutodiff
import GalaxyLayers
import TestSupport

/// The fast backend against the reference backend on random shapes: forward values and every
/// gradient, including shapes with enough channels for oneDNN's blocked layouts.
@Suite("oneDNN agrees with the reference")
struct BackendAgreementTests {
    let reference = ReferenceBackend.shared
    let fast = OneDNNBackend.sharedFast
    static let tolerance: Float = 1e-4

    /// Runs `f` on both backends with the same inputs and compares output and input gradients.
    func expectAgreement(_ inputs: [Tensor], _ label: String, on backend: (any Backend)? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                         _ f: ([Variable]) -> Variable) {
        let fast = backend ?? fast
        func run(_ backend: any Backend) -> (Tensor, [Tensor]) {
            let vars = inputs.map { Variable(parameter: $0.on(backend)) }
            let y = f(vars)
            let seed = TestSupport.random(y.shape, seed: 1234, backend: backend)
            return (y.value.plain, gradients(of: y, wrt: vars, seed: seed))
        }
        let (yr, gr) = run(reference), (yf, gf) = run(fast)
        #expect(TestSupport.relativeDifference(yf, yr) < Self.tolerance, "\(label): forward", sourceLocation: sourceLocation)
        for (i, (a, b)) in zip(gf, gr).enumerated() {
            #expect(TestSupport.relativeDifference(a, b) < Self.tolerance, "\(label): gradient \(i)", sourceLocation: sourceLocation)
        }
    }

    @Test func convolutionsOnRandomShapes() {
        var g = SeededGenerator(seed: 2026)
        for trial in 0..<12 {
            let n = 1 + Int(g.next() % 3), c = [1, 3, 16, 32][Int(g.next() % 4)], o = [4, 16, 32, 37][Int(g.next() % 4)]
            let kh = 1 + Int(g.next() % 5), kw = 1 + Int(g.next() % 5)
            let h = kh + 3 + Int(g.next() % 8), w = kw + 3 + Int(g.next() % 8)
            let stride = 1 + Int(g.next() % 2)
            let geometry: Convolution2DGeometry = switch trial % 3 {
            case 0: .valid(stride: stride)
            case 1: .same(kernelHeight: kh, kernelWidth: kw, stride: stride)
            default: .full(kernelHeight: kh, kernelWidth: kw, stride: stride)
            }
            let mode: BiasMode = [.none, .tied, .untied][trial % 3]
            let relu = trial % 2 == 0
            let (oh, ow) = geometry.outputSize(height: h, width: w, kernelHeight: kh, kernelWidth: kw)
            let x = TestSupport.random([n, c, h, w], seed: UInt64(trial))
            let wt = TestSupport.random([o, c, kh, kw], seed: UInt64(100 + trial), scale: 0.3)
            let b = TestSupport.random(mode == .untied ? [o, oh, ow] : [o], seed: UInt64(200 + trial))
            let label = "trial \(trial): x \(x.shape) w \(wt.shape) \(geometry) \(mode) relu \(relu)"
            expectAgreement([x, wt, b], label) { v in
                conv2d(v[0], weight: v[1], bias: mode == .none ? nil : v[2], biasMode: mode, geometry: geometry, relu: relu)
            }
        }
    }

    /// The winning net's 3×3 layers, which run Winograd F(4×4, 3×3) where oneDNN has it (AVX-512)
    /// and direct convolution elsewhere: either must agree with the reference.
    @Test func winogradShapesOfTheWinningNet() {
        for (trial, (c, size)) in [(64, 8), (128, 6)].enumerated() {
            let x = TestSupport.random([3, c, size, size], seed: UInt64(300 + trial))
            let w = TestSupport.random([128, c, 3, 3], seed: UInt64(310 + trial), scale: 0.1)
            let b = TestSupport.random([128, size - 2, size - 2], seed: UInt64(320 + trial))
            expectAgreement([x, w, b], "3×3 conv \(x.shape)") { v in conv2d(v[0], weight: v[1], bias: v[2], biasMode: .untied, relu: true) }
        }
    }

    /// conv → pool → conv → LRN → pool keeps oneDNN layouts between kernels; the result must not change.
    @Test func chainedLayersInBlockedLayouts() {
        let x = TestSupport.random([2, 3, 24, 24], seed: 1)
        let w1 = TestSupport.random([32, 3, 5, 5], seed: 2, scale: 0.2), b1 = TestSupport.random([32, 20, 20], seed: 3, scale: 0.1)
        let w2 = TestSupport.random([64, 32, 3, 3], seed: 4, scale: 0.1), b2 = TestSupport.random([64], seed: 5, scale: 0.1)
        expectAgreement([x, w1, b1, w2, b2], "conv chain") { v in
            let a = conv2d(v[0], weight: v[1], bias: v[2], biasMode: .untied, relu: true).maxPool2d(.init(window: 3, stride: 2))
            let b = conv2d(a, weight: v[3], bias: v[4], biasMode: .tied, relu: true).localResponseNorm(.init(size: 5, alpha: 1e-2, beta: 0.75, k: 2))
            return b.maxPool2d(.init(window: 2, stride: 2)).reshaped([2, -1])
        }
    }

    @Test func poolingAndNormalisation() {
        for (i, shape) in [[2, 16, 9, 9], [1, 5, 8, 7], [3, 32, 6, 6]].enumerated() {
            let x = TestSupport.spaced(shape, seed: UInt64(i), spacing: 0.01)
            for geometry in [Pooling2DGeometry(window: 2, stride: 2), .init(window: 3, stride: 2), .init(window: 3, stride: 1),
                             .init(windowY: 2, windowX: 3, strideY: 2, strideX: 1, padTop: 1, padBottom: 0, padLeft: 1, padRight: 1)] {
                expectAgreement([x], "pool \(shape) \(geometry)") { $0[0].maxPool2d(geometry) }
            }
            expectAgreement([x], "LRN \(shape)") { $0[0].localResponseNorm(.init(size: 5, alpha: 1e-1, beta: 0.75, k: 2)) }
        }
    }

    @Test func matrixProducts() {
        // Skinny (a dense layer's) and taller shapes, each transposition.
        for (m, k, n) in [(1, 1, 1), (16, 300, 37), (33, 17, 65), (16, 1031, 520), (256, 64, 130), (257, 40, 33)] {
            let a = TestSupport.random([m, k], seed: 1), b = TestSupport.random([k, n], seed: 2)
            let at = TestSupport.random([k, m], seed: 3), bt = TestSupport.random([n, k], seed: 4)
            expectAgreement([a, b], "matmul \(m)x\(k)x\(n)") { matmul($0[0], $0[1]) }
            expectAgreement([at, b], "matmul ᵀ· \(m)x\(k)x\(n)") { matmul($0[0], transposeA: true, $0[1]) }
            expectAgreement([a, bt], "matmul ·ᵀ \(m)x\(k)x\(n)") { matmul($0[0], $0[1], transposeB: true) }
            expectAgreement([at, bt], "matmul ᵀ \(m)x\(k)x\(n)") { matmul($0[0], transposeA: true, $0[1], transposeB: true) }
        }
    }

    /// A dense layer's weight gradient (xᵀ·g summed over the batch) takes oneDNN's sgemm, not
    /// OpenBLAS's: it must agree with the reference and give the same bits whatever the thread
    /// count, as OpenBLAS does.
    @Test func weightGradientsAgreeAndDoNotDependOnTheThreadCount() {
        let at = TestSupport.random([16, 1024], seed: 5), b = TestSupport.random([16, 1100], seed: 6)
        expectAgreement([at, b], "weight gradient 1024x16x1100") { matmul($0[0], transposeA: true, $0[1]) }
        // The best model's shapes at both recipes' batches, and a smaller product that oneDNN
        // would split between 32 threads or more if it were given them.
        for (inputs, outputs, batch) in [(8192, 4096, 16), (2048, 4096, 16), (8192, 4096, 8), (2048, 4096, 8), (1100, 1024, 4)] {
            let x = TestSupport.random([batch, inputs], seed: 7, backend: fast), g = TestSupport.random([batch, outputs], seed: 8, backend: fast)
            let once = OneDNNBackend.withKernelThreads(1) { Tensor.matmul(x, transposeA: true, g).scalars }
            for threads in [2, 3, 4, 32, 64] {
                let again = OneDNNBackend.withKernelThreads(threads) { Tensor.matmul(x, transposeA: true, g).scalars }
                let same = again == once  // not the arrays themselves: a failure would print 33 M numbers
                #expect(same, "xᵀ·g \(inputs)×\(batch)·\(batch)×\(outputs) on \(threads) threads differs from 1 thread")
            }
        }
    }

    /// Products whose rows OpenBLAS computes padded to a block of 16 (60 views of an image in
    /// prediction, 8 images of the fast recipe) agree with the reference, and return exactly the
    /// rows asked for.
    @Test func productsWithPaddedRows() {
        for (m, k, n) in [(60, 1024, 1100), (8, 2048, 520), (20, 1100, 1024)] {
            let a = TestSupport.random([m, k], seed: 9), b = TestSupport.random([k, n], seed: 10)
            expectAgreement([a, b], "matmul \(m)x\(k)x\(n)") { matmul($0[0], $0[1]) }
            let bt = TestSupport.random([n, k], seed: 11)
            expectAgreement([a, bt], "matmul ·ᵀ \(m)x\(k)x\(n)") { matmul($0[0], $0[1], transposeB: true) }
            #expect(Tensor.matmul(a.on(fast), b.on(fast)).scalars.count == m * n)
        }
    }

    @Test func elementwiseAndReductions() {
        // Large enough to take the multithreaded SIMD paths, odd sizes for the scalar tails.
        let a = TestSupport.random([70, 1001], seed: 1), row = TestSupport.random([1001], seed: 2)
        let col = TestSupport.random([70, 1], seed: 3), s = TestSupport.random([], seed: 4)
        let positive = a.applying(.square) + 0.1
        expectAgreement([a, row], "add row") { $0[0] + $0[1] }
        expectAgreement([a, col], "mul column") { $0[0] * $0[1] }
        expectAgreement([a, s], "scalar tensor") { $0[0] / ($0[1].squared() + 1) }
        expectAgreement([a, positive], "divide") { $0[0] / $0[1] }
        expectAgreement([a], "unary chain") { ($0[0] * 0.5 + 0.1).relu().clipped(0, 0.7) - $0[0].tanh() }
        expectAgreement([a], "sum leading") { $0[0].sum(axes: [0]) }
        expectAgreement([a], "sum trailing") { $0[0].sum(axes: [1]) }
        expectAgreement([a], "maxout") { $0[0].sliced(axis: 1, 0..<1000).maxout(groupSize: 2) }
    }
}

@Suite("oneDNN layouts and caching")
struct OneDNNLayoutTests {
    @Test func convolutionOutputsStayBlockedAndPrimitivesAreReused() {
        let fast = OneDNNBackend()
        let x = TestSupport.random([4, 3, 20, 20], seed: 1, backend: fast)
        let w = TestSupport.random([32, 3, 5, 5], seed: 2, backend: fast)
        let y = x.conv2d(weight: w, fuseReLU: true)
        #expect(y.layout != nil, "32-channel output should stay in oneDNN's blocked layout")
        let pooled = y.maxPool2d(.init(window: 2, stride: 2)).output
        #expect(pooled.layout != nil, "pooling a blocked tensor keeps the layout")
        #expect(pooled.plain.layout == nil && pooled.plain.shape == [4, 32, 8, 8])
        let primitives = fast.cachedPrimitiveCount
        for _ in 0..<3 { _ = x.conv2d(weight: w, fuseReLU: true).maxPool2d(.init(window: 2, stride: 2)) }
        #expect(fast.cachedPrimitiveCount == primitives, "primitives are created once per shape")
    }

    /// The optimisers' elementwise programs on 100,003 elements (several parallel chunks and a
    /// ragged tail): the same bits (four lanes at a time do the reference's operations in its order).
    @Test func optimiserKernelsAgree() {
        let n = 100_003
        let p = AdamWParameters(learningRate: 0.003, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01, t: 7)
        func run(_ backend: any Backend) -> [[Float]] {
            var w = TestSupport.random([n], seed: 1).on(backend), m = TestSupport.random([n], seed: 2, scale: 0.1).on(backend)
            var v = TestSupport.random([n], seed: 3).on(backend).applying(.square), a = TestSupport.random([n], seed: 4).on(backend)
            let g = TestSupport.random([n], seed: 5).on(backend)
            var w2 = w, velocity = m
            backend.run(p, updating: &w, &m, &v, reading: g)
            backend.run(MovingAverageUpdate(decay: 0.99), updating: &a, reading: w)
            backend.run(SGDUpdate(learningRate: 0.01, momentum: 0.9, nesterov: true), updating: &w2, &velocity, reading: g)
            // The same two updates with the average folded into their pass (four states and three).
            var w3 = TestSupport.random([n], seed: 1).on(backend), m3 = TestSupport.random([n], seed: 2, scale: 0.1).on(backend)
            var v3 = TestSupport.random([n], seed: 3).on(backend).applying(.square), a3 = TestSupport.random([n], seed: 4).on(backend)
            backend.run(AveragedUpdate(p, average: MovingAverageUpdate(decay: 0.99)), updating: &w3, &m3, &v3, &a3, reading: g)
            var w4 = TestSupport.random([n], seed: 1).on(backend), velocity4 = TestSupport.random([n], seed: 2, scale: 0.1).on(backend)
            var a4 = TestSupport.random([n], seed: 4).on(backend)
            backend.run(AveragedUpdate(SGDUpdate(learningRate: 0.01, momentum: 0.9, nesterov: true), average: MovingAverageUpdate(decay: 0.99)),
                        updating: &w4, &velocity4, &a4, reading: g)
            var a5 = TestSupport.random([n], seed: 4).on(backend)
            backend.run(MovingAverageUpdate(decay: 0.99), updating: &a5, reading: w2)
            return [w.scalars, m.scalars, v.scalars, a.scalars, w2.scalars, velocity.scalars,
                    w3.scalars, m3.scalars, v3.scalars, a3.scalars, w4.scalars, velocity4.scalars, a4.scalars, a5.scalars]
        }
        let r = run(ReferenceBackend.shared), f = run(OneDNNBackend.sharedFast)
        for (i, name) in ["weights", "first moments", "second moments", "average", "SGD weights", "velocities",
                          "folded weights", "folded first moments", "folded second moments", "folded average",
                          "folded SGD weights", "folded velocities", "folded SGD average", "SGD average"].enumerated() {
            #expect(r[i] == f[i], "\(name) differ")
        }
        // Folding changes nothing: the four-state pass is AdamW's then the average's, likewise for SGD.
        #expect(f[6] == f[0] && f[7] == f[1] && f[8] == f[2] && f[9] == f[3], "AdamW with the average folded in differs from the two passes")
        #expect(f[10] == f[4] && f[11] == f[5] && f[12] == f[13], "SGD with the average folded in differs from the two passes")
    }
}
