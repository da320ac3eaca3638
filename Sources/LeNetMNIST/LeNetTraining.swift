import Dispatch
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers

/// SGD training of LeNet on MNIST, reporting test error and wall time per epoch.
public struct LeNetTraining {
    public struct Options: Sendable {
        public var epochs = 8
        public var batchSize = 32
        public var learningRate: Float = 0.02
        public var seed: UInt64 = 1
        public init() {}
    }

    public struct Epoch: Codable, Sendable {
        public var epoch: Int
        public var trainLoss: Double
        public var testError: Double
        public var seconds: Double
        public var imagesPerSecond: Double
    }

    public let configuration: LeNetConfiguration
    public let options: Options
    public let backend: any Backend

    public init(configuration: LeNetConfiguration, options: Options, backend: any Backend) {
        self.configuration = configuration
        self.options = options
        self.backend = backend
    }

    /// Trains from scratch; `progress` is called after each epoch.
    public func run(train: MNIST, test: MNIST, progress: (Epoch) -> Void = { _ in }) -> [Epoch] {
        var generator = SeededGenerator(seed: options.seed)
        var model = LeNet(configuration, generator: &generator, backend: backend)
        var optimizer = SGD(learningRate: options.learningRate, momentum: 0.9, nesterov: true)
        var epochs: [Epoch] = []
        for epoch in 1...options.epochs {
            var order = SeededGenerator(seed: options.seed, stream: UInt64(epoch))
            let indices = Array(0..<train.count).shuffled(using: &order)
            var context = ForwardContext(training: true, generator: SeededGenerator(seed: options.seed, stream: 1000 + UInt64(epoch)))
            var lossTotal = 0.0, batches = 0
            let start = DispatchTime.now().uptimeNanoseconds
            for first in stride(from: 0, to: indices.count, by: options.batchSize) {
                let batch = train.batch(indices[first..<min(first + options.batchSize, indices.count)], backend: backend)
                let loss = Self.loss(model, batch.images, batch.oneHot, &context)
                let grads = gradients(of: loss, wrt: model.parameters)
                lossTotal += Double(loss.value.scalar)
                batches += 1
                optimizer.update(&model, gradients: grads)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let result = Epoch(epoch: epoch, trainLoss: lossTotal / Double(batches), testError: Self.error(of: model, on: test, backend: backend),
                               seconds: seconds, imagesPerSecond: Double(train.count) / seconds)
            progress(result)
            epochs.append(result)
        }
        return epochs
    }

    static func loss(_ model: LeNet, _ images: Tensor, _ oneHot: Tensor, _ context: inout ForwardContext) -> Variable {
        softmaxCrossEntropy(logits: model(Variable(images), &context), target: Variable(oneHot))
    }

    /// Fraction of misclassified digits (inference: no graph is recorded).
    public static func error(of model: LeNet, on data: MNIST, backend: any Backend, batchSize: Int = 250) -> Double {
        let frozen = model.detached()
        var context = ForwardContext.inference
        var wrong = 0
        for first in stride(from: 0, to: data.count, by: batchSize) {
            let indices = Array(first..<min(first + batchSize, data.count))
            let logits = frozen(Variable(data.batch(indices[...], backend: backend).images), &context).value.scalars
            for (row, i) in indices.enumerated() {
                let scores = logits[(row * 10)..<((row + 1) * 10)]
                if scores.indices.max(by: { scores[$0] < scores[$1] })! - row * 10 != data.labels[i] { wrong += 1 }
            }
        }
        return Double(wrong) / Double(data.count)
    }
}
