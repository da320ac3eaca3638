import Foundation
import Testing
import GalaxyTensor
import GalaxyKernels
import GalaxyAutodiff
import GalaxyLayers
import LeNetMNIST
import TestSupport

/// The shared MNIST sample, found relative to this file (repository/../shared).
enum SharedData {
    static var root: URL { URL(fileURLWithPath: TestSupport.sharedDataRoot) }
    static var mnist: String { root.appendingPathComponent("mnist/mnist_5k.csv.gz").path }
}

@Suite("Layers and parameters")
struct LayerTests {
    @Test func parametersAreEnumeratedWithNames() {
        var g = SeededGenerator(seed: 1)
        let model = LeNet(LeNetConfiguration(), generator: &g, backend: ReferenceBackend.shared)
        #expect(model.parameterPaths.map(\.name) == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                                                     "hidden.weight", "hidden.bias", "output.weight", "output.bias"])
        // 32·25+32 + 64·32·25+64 + 1024·500+500 + 500·10+10
        #expect(model.parameterCount == 832 + 51_264 + 512_500 + 5_010)
        #expect(model.parameters.allSatisfy { $0.requiresGradient })
        #expect(model.detached().parameters.allSatisfy { !$0.requiresGradient })
    }

    @Test func untiedBiasHasOneValuePerPosition() {
        var g = SeededGenerator(seed: 1)
        let conv = Conv2D("conv1", inputShape: [3, 45, 45], filters: 32, kernel: (6, 6), biasMode: .untied,
                          initialization: .init(weightStandardDeviation: 0.01, bias: 0.1), generator: &g, backend: ReferenceBackend.shared)
        #expect(conv.outputShape == [32, 40, 40])
        #expect(conv.bias.shape == [32, 40, 40])
        #expect(conv.parameterCount == 32 * 3 * 36 + 32 * 40 * 40)
    }

    @Test func nesterovStepMatchesClosedForm() {
        for backend in TestSupport.backends {
            var g = SeededGenerator(seed: 1)
            var layer = Dense("d", inputs: 1, outputs: 2, initialization: .init(weightStandardDeviation: 0, bias: 0), generator: &g, backend: backend)
            layer.setParameterValues([Tensor(shape: [1, 2], scalars: [1, 2], backend: backend), Tensor(shape: [2], scalars: [0, 0], backend: backend)])
            var sgd = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
            let grad = [Tensor(shape: [1, 2], scalars: [1, -1], backend: backend), Tensor(zeros: [2], backend: backend)]
            sgd.update(&layer, gradients: grad)
            // v = −0.1·g; w += 0.9·v − 0.1·g = −0.19·g
            #expect(layer.weight.value.scalars.elementsEqual([0.81, 2.19]) { abs($0 - $1) < 1e-6 })
            sgd.update(&layer, gradients: grad)
            // v = 0.9·(−0.1g) − 0.1g = −0.19g; w += 0.9·(−0.19g) − 0.1g = −0.271g
            #expect(layer.weight.value.scalars.elementsEqual([0.539, 2.461]) { abs($0 - $1) < 1e-6 }, "\(backend.name)")
        }
    }

    @Test func dropoutIsIdentityAtInferenceAndSeededInTraining() {
        let x = Variable(Tensor(repeating: 1, shape: [4, 100]))
        var inference = ForwardContext.inference
        #expect(Dropout(rate: 0.5)(x, &inference).value.scalars == x.value.scalars)
        var a = ForwardContext(training: true, generator: SeededGenerator(seed: 3)), b = a
        let ya = Dropout(rate: 0.5)(x, &a).value.scalars, yb = Dropout(rate: 0.5)(x, &b).value.scalars
        #expect(ya == yb)
        #expect(Set(ya) == [0, 2])
        let kept = Double(ya.filter { $0 > 0 }.count) / Double(ya.count)
        #expect(abs(kept - 0.5) < 0.1)
    }

    @Test func layerShapeErrorsNameTheLayer() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var g = SeededGenerator(seed: 1)
            _ = Conv2D("conv9", inputShape: [3, 4, 4], filters: 8, kernel: (5, 5), initialization: .init(weightStandardDeviation: 1, bias: 0),
                       generator: &g, backend: ReferenceBackend.shared)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("conv9") && message.contains("5x5") && message.contains("[3, 4, 4]"), "message was: \(message)")
    }
}

@Suite("LeNet on MNIST")
struct LeNetTests {
    @Test func readsTheRealSample() throws {
        let digits = try MNIST.load(csv: SharedData.mnist)
        #expect(digits.count == 5000)
        #expect(Dictionary(grouping: digits.labels, by: { $0 }).mapValues(\.count) == Dictionary(uniqueKeysWithValues: (0...9).map { ($0, 500) }))
        #expect(digits.images.allSatisfy { $0 >= 0 && $0 <= 1 })
        let (train, test) = digits.split(trainCount: 4000, seed: 1)
        #expect(train.count == 4000 && test.count == 1000)
        #expect(digits.split(trainCount: 4000, seed: 1).train.labels == train.labels)
    }

    @Test(arguments: [
        ("1,2,3\n", 1, "expected 785"),
        (String(repeating: "0,", count: 784) + "3\n" + String(repeating: "0,", count: 783) + "x,3\n", 2, "value 784 is \"x\""),
        (String(repeating: "0,", count: 783) + "256,3\n", 1, "pixel 784 is 256"),
        (String(repeating: "0,", count: 784) + "12\n", 1, "label is 12"),
        (String(repeating: "0,", count: 784) + ",\n", 1, "empty"),
    ])
    func malformedRowsNameFileAndLine(text: String, line: Int, reason: String) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: MNISTError.self) { try MNIST.load(csv: url.path) }
        #expect(error.description.hasPrefix("\(url.path):\(line):"), "\(error)")
        #expect(error.description.contains(reason), "\(error)")
    }

    @Test func missingFileIsNamed() {
        #expect(throws: MNISTError.self) { try MNIST.load(csv: "/nonexistent/mnist.csv") }
    }

    /// Each option of the study (strided, full, overlapping pooling, LRN) trains: the loss falls.
    @Test(arguments: [
        (1, false, 2, 2, false), (2, false, 2, 2, false), (1, true, 2, 2, false), (1, false, 3, 2, false), (1, false, 2, 2, true),
    ])
    func lossFallsWithEveryOption(stride: Int, full: Bool, window: Int, poolStride: Int, lrn: Bool) throws {
        let digits = try MNIST.load(csv: SharedData.mnist)
        let (train, _) = digits.split(trainCount: 4000, seed: 3)
        var c = LeNetConfiguration()
        c.convolutionStride = stride; c.fullConvolution = full; c.poolWindow = window; c.poolStride = poolStride; c.localResponseNorm = lrn
        c.filters1 = 8; c.filters2 = 16; c.hidden = 64
        let backend = OneDNNBackend.sharedFast
        var g = SeededGenerator(seed: 1)
        var model = LeNet(c, generator: &g, backend: backend)
        var sgd = SGD(learningRate: 0.05)
        var context = ForwardContext(training: true, generator: SeededGenerator(seed: 2))
        let batch = train.batch(Array(0..<64)[...], backend: backend)
        func loss() -> Variable { softmaxCrossEntropy(logits: model(Variable(batch.images), &context), target: Variable(batch.oneHot)) }
        let first = loss().value.scalar
        for _ in 0..<15 { let l = loss(); sgd.update(&model, gradients: gradients(of: l, wrt: model.parameters)) }
        let last = loss().value.scalar
        #expect(last < 0.5 * first, "loss \(first) → \(last) with \(c.summary)")
    }

    /// The same seed gives the same run on both backends, up to float rounding.
    @Test func backendsTrainAlike() throws {
        let digits = try MNIST.load(csv: SharedData.mnist)
        let (train, test) = digits.split(trainCount: 4000, seed: 1)
        var c = LeNetConfiguration()
        c.filters1 = 4; c.filters2 = 8; c.hidden = 32
        var o = LeNetTraining.Options()
        o.epochs = 1
        let small = train.subset(Array(0..<256)), smallTest = test.subset(Array(0..<200))
        let r = LeNetTraining(configuration: c, options: o, backend: ReferenceBackend.shared).run(train: small, test: smallTest)
        let f = LeNetTraining(configuration: c, options: o, backend: OneDNNBackend.sharedFast).run(train: small, test: smallTest)
        #expect(abs(r[0].trainLoss - f[0].trainLoss) < 1e-3 * abs(r[0].trainLoss))
        #expect(abs(r[0].testError - f[0].testError) <= 0.01)
    }
}
