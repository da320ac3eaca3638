import Foundation
import Testing
import GalaxyTensor
import GalaxyKernels
import GalaxyAutodiff
import GalaxyLayers
import TestSupport

/// AdamW and the weight average against their closed forms, computed here in Double.
@Suite("Optimisers beyond the original")
struct OptimizerTests {
    /// A dense layer 1 → 2 with weight [w0, w1] and bias [b0, b1].
    func layer(_ backend: any Backend, weight: [Float], bias: [Float]) -> Dense {
        var g = SeededGenerator(seed: 1)
        var layer = Dense("d", inputs: 1, outputs: 2, initialization: .init(weightStandardDeviation: 0, bias: 0), generator: &g, backend: backend)
        layer.setParameterValues([Tensor(shape: [1, 2], scalars: weight, backend: backend), Tensor(shape: [2], scalars: bias, backend: backend)])
        return layer
    }

    /// Adam with decoupled decay, element by element, in Double (Loshchilov & Hutter 2019, Alg. 2).
    func adamW(_ w0: Double, gradients: [Double], lr: Double, decay: Double, b1: Double = 0.9, b2: Double = 0.999, eps: Double = 1e-8) -> Double {
        var w = w0, m = 0.0, v = 0.0
        for (t, g) in zip(1..., gradients) {
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            let mHat = m / (1 - Foundation.pow(b1, Double(t))), vHat = v / (1 - Foundation.pow(b2, Double(t)))
            w = w - lr * decay * w - lr * mHat / (vHat.squareRoot() + eps)
        }
        return w
    }

    @Test func adamWMatchesItsClosedFormAndDecaysOnlyWeights() {
        let gradients: [[Float]] = [[0.5, -2], [0.1, -1], [-0.3, 4], [0.2, 0.2]]
        for backend in TestSupport.backends {
            var model = layer(backend, weight: [1, -0.5], bias: [0.25, 2])
            var adam = AdamW(learningRate: 0.01, weightDecay: 0.1)
            for g in gradients {
                adam.update(&model, gradients: [Tensor(shape: [1, 2], scalars: g, backend: backend), Tensor(shape: [2], scalars: g, backend: backend)])
            }
            #expect(adam.updates == 4)
            let w = model.weight.value.scalars, b = model.bias.value.scalars
            for i in 0..<2 {
                let column = gradients.map { Double($0[i]) }
                #expect(abs(Double(w[i]) - adamW([1, -0.5][i], gradients: column, lr: 0.01, decay: 0.1)) < 1e-6, "\(backend.name) weight \(i)")
                #expect(abs(Double(b[i]) - adamW([0.25, 2][i], gradients: column, lr: 0.01, decay: 0)) < 1e-6, "\(backend.name) bias \(i)")
            }
            // The first update moves every element by ≈ lr against its gradient's sign, whatever its size.
            var fresh = layer(backend, weight: [1, 1], bias: [0, 0])
            var first = AdamW(learningRate: 0.01, weightDecay: 0)
            first.update(&fresh, gradients: [Tensor(shape: [1, 2], scalars: [1e-3, -50], backend: backend), Tensor(zeros: [2], backend: backend)])
            #expect(fresh.weight.value.scalars.elementsEqual([0.99, 1.01]) { abs($0 - $1) < 1e-5 })
        }
    }

    @Test func adamWStateRoundTripsByName() throws {
        let backend = ReferenceBackend.shared
        var model = layer(backend, weight: [1, 2], bias: [3, 4])
        var adam = AdamW(learningRate: 0.01)
        let g = [Tensor(shape: [1, 2], scalars: [1, -1], backend: backend), Tensor(shape: [2], scalars: [0.5, 0.5], backend: backend)]
        adam.update(&model, gradients: g)
        let names = model.parameterPaths.map(\.name)
        let state = adam.namedState(parameterNames: names)
        #expect(state.map(\.name) == ["m.weight", "m.bias", "v.weight", "v.bias"])
        var restored = AdamW(learningRate: 0.01)
        try restored.restore(Dictionary(uniqueKeysWithValues: state.map { ($0.name, $0.tensor) }), parameterNames: names, updates: adam.updates)
        var a = model, b = model
        adam.update(&a, gradients: g)
        restored.update(&b, gradients: g)
        #expect(a.weight.value.scalars == b.weight.value.scalars && a.bias.value.scalars == b.bias.value.scalars)
        #expect(throws: OptimizerStateError.self) {
            try restored.restore(["m.weight": g[0]], parameterNames: names, updates: 1)
        }
    }

    @Test func weightAverageFollowsItsClosedForm() {
        for backend in TestSupport.backends {
            var model = layer(backend, weight: [1, -1], bias: [0, 0])
            var average = WeightAverage(of: model, decay: 0.9)
            var expected = 1.0
            for t in 1...30 {
                let w = Float(t) / 10
                model.setParameterValues([Tensor(shape: [1, 2], scalars: [w, -w], backend: backend), Tensor(zeros: [2], backend: backend)])
                average.update(from: model)
                let d = min(0.9, Double(1 + t) / Double(10 + t))
                expected = d * expected + (1 - d) * Double(w)
            }
            let averaged = average.applied(to: model).weight.value.scalars
            #expect(abs(Double(averaged[0]) - expected) < 1e-5 && abs(Double(averaged[1]) + expected) < 1e-5, "\(backend.name): \(averaged) vs \(expected)")
            // The model itself keeps its own weights.
            #expect(model.weight.value.scalars == [3, -3])
        }
    }

    /// Layer scales: a layer at 0 is frozen (no change, whatever the gradient), a layer at ½
    /// moves as an unscaled optimiser at half the learning rate; for SGD and AdamW.
    @Test func layerScalesFreezeOrSlowALayer() {
        let g: [Tensor] = [Tensor(shape: [1, 2], scalars: [0.5, -2]), Tensor(shape: [2], scalars: [0.3, 1])]
        for make in [{ (lr: Float) -> any Optimizer in SGD(learningRate: lr, momentum: 0.9, nesterov: true) },
                     { (lr: Float) -> any Optimizer in AdamW(learningRate: lr, weightDecay: 0.1) }] {
            var frozen = layer(ReferenceBackend.shared, weight: [1, -0.5], bias: [0.25, 2]), slowed = frozen, reference = frozen
            var a = make(0.02), b = make(0.02), c = make(0.01)
            // A bare layer's parameters are named "weight" and "bias" (in a model, "dense.0.weight": layer "dense.0").
            a.layerScales = ["weight": 0, "bias": 0]
            b.layerScales = ["weight": 0.5, "bias": 0.5, "other": 0]
            for _ in 0..<3 { a.update(&frozen, gradients: g); b.update(&slowed, gradients: g); c.update(&reference, gradients: g) }
            #expect(frozen.weight.value.scalars == [1, -0.5] && frozen.bias.value.scalars == [0.25, 2])
            #expect(slowed.weight.value.scalars == reference.weight.value.scalars && slowed.bias.value.scalars == reference.bias.value.scalars)
            #expect(slowed.weight.value.scalars != [1, -0.5])
        }
    }

    /// The average folded into the optimiser's pass (`update(_:gradients:average:)`) is the
    /// update followed by `WeightAverage.update(from:)`, to the bit, on both CPU backends, for SGD
    /// and AdamW, with a frozen layer (not updated; its average still takes its step, towards the same values).
    @Test func averageFoldedIntoTheUpdateIsTheTwoPasses() {
        for backend in [ReferenceBackend.shared, OneDNNBackend.sharedFast] as [any Backend] {
            for make in [{ (lr: Float) -> any Optimizer in SGD(learningRate: lr, momentum: 0.9, nesterov: true) },
                         { (lr: Float) -> any Optimizer in AdamW(learningRate: lr, weightDecay: 0.1) }] {
                var g = SeededGenerator(seed: 7)
                var folded = Dense("d", inputs: 300, outputs: 50, initialization: .init(weightStandardDeviation: 0.1, bias: 0.1), generator: &g,
                                   backend: backend)
                var separate = folded
                var a = make(0.01), b = make(0.01)
                a.layerScales = ["bias": 0]
                b.layerScales = ["bias": 0]
                var foldedAverage: WeightAverage? = WeightAverage(of: folded, decay: 0.9)
                var separateAverage = WeightAverage(of: separate, decay: 0.9)
                for step in 0..<4 {
                    let gradients = [TestSupport.random([300, 50], seed: 10 + UInt64(step)).on(backend),
                                     TestSupport.random([50], seed: 20 + UInt64(step)).on(backend)]
                    a.update(&folded, gradients: gradients, average: &foldedAverage)
                    b.update(&separate, gradients: gradients)
                    separateAverage.update(from: separate)
                }
                #expect(folded.weight.value.scalars == separate.weight.value.scalars && folded.bias.value.scalars == separate.bias.value.scalars)
                #expect(foldedAverage!.averages.map(\.scalars) == separateAverage.averages.map(\.scalars), "\(backend.name) \(type(of: a))")
                // The average lags the moving weights; the frozen bias and its average stay where they started.
                #expect(foldedAverage!.updates == 4 && foldedAverage!.averages[0].scalars != folded.weight.value.scalars)
                #expect(foldedAverage!.averages[1].scalars == folded.bias.value.scalars && folded.bias.value.scalars == [Float](repeating: 0.1, count: 50))
            }
        }
    }

    /// Two dense layers in an array: their key paths go through the array's subscript.
    struct Stack: Layer {
        var layers: [Dense]
        func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable { layers.reduce(input) { $1($0, &context) } }
        var parameterPaths: [ParameterPath<Stack>] { nested("layers", \.layers) }
    }

    /// An update writes into the weights' own buffers: before `withParameterValue`, every update
    /// of a parameter reached through an array copied it whole (the best model: 170 MB per update).
    @Test func updatesChangeTheWeightsInPlace() {
        func addresses(_ model: Stack) -> [UnsafePointer<Float>] { model.parameters.map { $0.value.withUnsafeBufferPointer { $0.baseAddress! } } }
        for backend in [ReferenceBackend.shared, OneDNNBackend.sharedFast] as [any Backend] {
            for make in [{ () -> any Optimizer in SGD(learningRate: 0.01) }, { () -> any Optimizer in AdamW(learningRate: 0.01) }] {
                for averaged in [false, true] {
                    var g = SeededGenerator(seed: 3)
                    var model = Stack(layers: (0..<2).map { Dense("d\($0)", inputs: 64, outputs: 64, initialization: .init(weightStandardDeviation: 0.1, bias: 0),
                                                                   generator: &g, backend: backend) })
                    var optimizer = make(), average: WeightAverage? = averaged ? WeightAverage(of: model, decay: 0.9) : nil
                    let gradients = model.parameters.enumerated().map { TestSupport.random($1.shape, seed: 30 + UInt64($0)).on(backend) }
                    // The first update parts the average from the weights it started as (one copy, once).
                    optimizer.update(&model, gradients: gradients, average: &average)
                    let before = addresses(model), values = model.parameters.map(\.value.scalars)
                    optimizer.update(&model, gradients: gradients, average: &average)
                    #expect(addresses(model) == before, "\(backend.name) \(type(of: optimizer)) average \(averaged)")
                    #expect(model.parameters.map(\.value.scalars) != values)
                }
            }
        }
    }
}
