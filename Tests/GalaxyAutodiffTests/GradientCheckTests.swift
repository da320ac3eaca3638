import Testing
import GalaxyTensor
import GalaxyKernels
import GalaxyAutodiff
import TestSupport

/// Every op's backward against central finite differences, on both backends.
@Suite("Gradient checks")
struct GradientCheckTests {
    static let tolerance: Float = 2e-2

    func expectGradients(_ inputs: [Tensor], on backend: any Backend, epsilon: Float = 1e-2,
                         sourceLocation: SourceLocation = #_sourceLocation, _ f: @escaping ([Variable]) -> Variable) {
        let errors = GradientCheck.relativeErrors(inputs: inputs.map { $0.on(backend) }, epsilon: epsilon, f)
        for (i, e) in errors.enumerated() {
            #expect(e < Self.tolerance, "input \(i): relative error \(e) on \(backend.name)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: TestSupport.backends)
    func broadcastingArithmetic(backend: any Backend) {
        let a = TestSupport.random([3, 4], seed: 1), b = TestSupport.random([4], seed: 2)
        let c = TestSupport.random([3, 1], seed: 3), positive = TestSupport.random([3, 4], seed: 4).applying(.square) + 0.5
        expectGradients([a, b], on: backend) { $0[0] + $0[1] }
        expectGradients([a, c], on: backend) { $0[0] - $0[1] }
        expectGradients([a, b], on: backend) { $0[0] * $0[1] }
        expectGradients([c, positive], on: backend) { $0[0] / $0[1] }
        expectGradients([a], on: backend) { ($0[0] * 3 + 1) / 2 - 0.5 }
    }

    @Test(arguments: TestSupport.backends)
    func unaryFunctions(backend: any Backend) {
        let x = TestSupport.random([2, 5], seed: 5), positive = x.applying(.square) + 0.5
        let spaced = TestSupport.spaced([2, 5], seed: 6, spacing: 0.2)
        expectGradients([spaced], on: backend) { $0[0].relu() }
        expectGradients([x], on: backend) { $0[0].exp() }
        expectGradients([positive], on: backend) { $0[0].log() }
        expectGradients([x], on: backend) { $0[0].tanh() }
        expectGradients([x], on: backend) { $0[0].sigmoid() }
        expectGradients([x], on: backend) { -$0[0].squared() }
        expectGradients([positive], on: backend) { $0[0].squareRoot() }
        expectGradients([positive], on: backend) { $0[0].applying(.power(1.7)) }
        expectGradients([spaced], on: backend) { $0[0].clipped(-0.35, 0.45) }
    }

    @Test(arguments: TestSupport.backends)
    func reductions(backend: any Backend) {
        let x = TestSupport.random([2, 3, 4], seed: 7)
        expectGradients([x], on: backend) { $0[0].sum() }
        expectGradients([x], on: backend) { $0[0].sum(axes: [1]) }
        expectGradients([x], on: backend) { $0[0].sum(axes: [0, 2], keepingDimensions: true) }
        expectGradients([x], on: backend) { $0[0].mean(axes: [-1]) }
    }

    @Test(arguments: TestSupport.backends)
    func matrixProductWithTransposes(backend: any Backend) {
        let a = TestSupport.random([3, 4], seed: 8), b = TestSupport.random([4, 5], seed: 9)
        let at = TestSupport.random([4, 3], seed: 10), bt = TestSupport.random([5, 4], seed: 11)
        expectGradients([a, b], on: backend) { matmul($0[0], $0[1]) }
        expectGradients([at, b], on: backend) { matmul($0[0], transposeA: true, $0[1]) }
        expectGradients([a, bt], on: backend) { matmul($0[0], $0[1], transposeB: true) }
        expectGradients([at, bt], on: backend) { matmul($0[0], transposeA: true, $0[1], transposeB: true) }
    }

    @Test(arguments: TestSupport.backends)
    func dataMovement(backend: any Backend) {
        let x = TestSupport.random([2, 3, 4, 5], seed: 12), y = TestSupport.random([2, 2, 4, 5], seed: 13)
        expectGradients([x], on: backend) { $0[0].reshaped([6, 20]) }
        expectGradients([x], on: backend) { $0[0].permuted([2, 0, 3, 1]) }
        expectGradients([x], on: backend) { $0[0].sliced(axis: 1, 1..<3) }
        expectGradients([x], on: backend) { $0[0].sliced(axis: 3, 0..<2) }
        expectGradients([x, y], on: backend) { Variable.concatenate([$0[0], $0[1]], axis: 1) }
        for turns in 1...3 { expectGradients([x], on: backend) { $0[0].rotated90(turns: turns) } }
        expectGradients([x], on: backend) { $0[0].flippedHorizontally() }
    }

    @Test(arguments: TestSupport.backends)
    func maxoutAndDropout(backend: any Backend) {
        let x = TestSupport.spaced([3, 8], seed: 14)
        expectGradients([x], on: backend) { $0[0].maxout(groupSize: 2) }
        expectGradients([x], on: backend) { $0[0].maxout(groupSize: 4) }
        expectGradients([x], on: backend) { v in
            var g = SeededGenerator(seed: 99)  // the same mask on every evaluation
            return v[0].dropout(rate: 0.5, training: true, generator: &g)
        }
    }

    @Test(arguments: TestSupport.backends)
    func convolutionGeometries(backend: any Backend) {
        let x = TestSupport.random([2, 3, 7, 6], seed: 15), w = TestSupport.random([4, 3, 3, 2], seed: 16, scale: 0.5)
        let tied = TestSupport.random([4], seed: 17)
        let geometries: [Convolution2DGeometry] = [
            .valid(), .valid(stride: 2), .same(kernelHeight: 3, kernelWidth: 2),
            .full(kernelHeight: 3, kernelWidth: 2), .init(strideY: 2, strideX: 1, padTop: 1, padBottom: 0, padLeft: 2, padRight: 1),
        ]
        for g in geometries {
            expectGradients([x, w, tied], on: backend) { conv2d($0[0], weight: $0[1], bias: $0[2], biasMode: .tied, geometry: g) }
            expectGradients([x, w], on: backend) { conv2d($0[0], weight: $0[1], geometry: g) }
        }
    }

    @Test(arguments: TestSupport.backends)
    func untiedBiases(backend: any Backend) {
        let x = TestSupport.random([2, 2, 6, 6], seed: 18), w = TestSupport.random([3, 2, 3, 3], seed: 19, scale: 0.5)
        let untied = TestSupport.random([3, 4, 4], seed: 20)
        expectGradients([x, w, untied], on: backend) { conv2d($0[0], weight: $0[1], bias: $0[2], biasMode: .untied) }
    }

    @Test(arguments: TestSupport.backends)
    func pooling(backend: any Backend) {
        let x = TestSupport.spaced([2, 3, 7, 7], seed: 21)
        expectGradients([x], on: backend, epsilon: 1e-2) { $0[0].maxPool2d(.init(window: 2, stride: 2)) }
        expectGradients([x], on: backend, epsilon: 1e-2) { $0[0].maxPool2d(.init(window: 3, stride: 2)) }  // overlapping
        expectGradients([x], on: backend, epsilon: 1e-2) {
            $0[0].maxPool2d(.init(windowY: 3, windowX: 2, strideY: 1, strideX: 2, padTop: 1, padBottom: 1, padLeft: 0, padRight: 1))
        }
    }

    @Test(arguments: TestSupport.backends)
    func localResponseNormalisation(backend: any Backend) {
        let x = TestSupport.random([2, 7, 3, 3], seed: 22)
        expectGradients([x], on: backend) { $0[0].localResponseNorm(.init(size: 5, alpha: 0.5, beta: 0.75, k: 2)) }
        expectGradients([x], on: backend) { $0[0].localResponseNorm(.init(size: 3, alpha: 1, beta: 0.5, k: 1)) }
    }

    @Test(arguments: TestSupport.backends)
    func softmaxAndLosses(backend: any Backend) {
        let x = TestSupport.random([4, 5], seed: 23), target = TestSupport.random([4, 5], seed: 24)
        let oneHot = Tensor(shape: [4, 5], scalars: (0..<20).map { $0 % 6 == 0 ? 1 : 0 })
        expectGradients([x], on: backend) { $0[0].logSoftmax() }
        expectGradients([x, target], on: backend) { meanSquaredError($0[0], $0[1]) }
        expectGradients([x], on: backend) { softmaxCrossEntropy(logits: $0[0], target: Variable(oneHot.on($0[0].backend))) }
    }

    /// A value read by several ops must receive the sum of their gradients (the 16 image parts
    /// share one convolution stack).
    @Test(arguments: TestSupport.backends)
    func inputUsedSeveralTimes(backend: any Backend) {
        let x = TestSupport.random([2, 1, 5, 5], seed: 25), w = TestSupport.random([2, 1, 3, 3], seed: 26)
        expectGradients([x], on: backend) { $0[0] * $0[0] + $0[0].exp() }
        expectGradients([x, w], on: backend) { v in
            let parts = [v[0], v[0].rotated90(turns: 1), v[0].flippedHorizontally()]
            let shared = parts.map { conv2d($0, weight: v[1]) }
            return Variable.concatenate(shared, axis: 0)
        }
    }
}

@Suite("Autodiff mechanics")
struct AutodiffMechanicsTests {
    @Test func gradientOfUnusedVariableIsZero() {
        let a = Variable(parameter: Tensor(shape: [2], scalars: [1, 2]))
        let b = Variable(parameter: Tensor(shape: [3], scalars: [1, 2, 3]))
        let g = gradients(of: (a * a).sum(), wrt: [a, b])
        #expect(g[0].scalars == [2, 4])
        #expect(g[1].scalars == [0, 0, 0])
    }

    @Test func constantsRecordNothing() {
        let x = Variable(Tensor(shape: [2], scalars: [1, -2]))
        let y = (x * x).relu().sum()
        #expect(y.node == nil)
        #expect(y.value.scalar == 5)
    }

    @Test func fusedReLUMatchesComposite() {
        for backend in TestSupport.backends {
            let x = TestSupport.random([2, 3, 6, 6], seed: 30, backend: backend)
            let w = TestSupport.random([4, 3, 3, 3], seed: 31, backend: backend)
            for mode in [BiasMode.tied, .untied] {
                let b = TestSupport.random(mode == .tied ? [4] : [4, 4, 4], seed: 32, backend: backend)
                let (vx, vw, vb) = (Variable(parameter: x), Variable(parameter: w), Variable(parameter: b))
                let fused = conv2d(vx, weight: vw, bias: vb, biasMode: mode, relu: true)
                let composite = conv2d(vx, weight: vw, bias: vb, biasMode: mode).relu()
                #expect(TestSupport.relativeDifference(fused.value.plain, composite.value.plain) < 1e-5)
                let seed = TestSupport.random(fused.shape, seed: 33, backend: backend)
                let g1 = gradients(of: fused, wrt: [vx, vw, vb], seed: seed)
                let g2 = gradients(of: composite, wrt: [vx, vw, vb], seed: seed)
                for (a, b) in zip(g1, g2) { #expect(TestSupport.relativeDifference(a, b) < 1e-4, "\(backend.name) \(mode)") }
            }
        }
    }
}
