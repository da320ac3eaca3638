import ArgumentParser
import GalaxyCore
import Foundation
import GalaxyLayers
import LeNetMNIST

/// Options shared by `galaxynet lenet` and `galaxynet bench lenet`.
struct LeNetOptions: ParsableArguments {
    @Option(help: "MNIST CSV (optionally .gz): 784 pixels then the label per row.")
    var data = "../shared/data/mnist/mnist_5k.csv.gz"
    @Option(help: "Digits used for training, split from the file with the seed.") var trainCount = 4000
    @Option(help: "Digits used for testing (default: all the others).") var testCount: Int?
    @Option(help: "Mini-batch size.") var batchSize = 32
    @Option(help: "SGD learning rate (Nesterov momentum 0.9).") var learningRate: Float = 0.02
    @Option(help: "Random seed (split, initialisation, shuffling).") var seed: UInt64 = 1
    @Option(help: "Convolution stride.") var stride = 1
    @Flag(help: "\"Full\" convolutions (zero padding kernel − 1 on every side).") var full = false
    @Option(help: "Max-pooling window (a window larger than the stride overlaps).") var poolWindow = 2
    @Option(help: "Max-pooling stride.") var poolStride = 2
    @Flag(help: "Cross-map local response normalisation after the first pooling.") var lrn = false
    @Option(help: "Hidden-layer activation (tanh | relu).") var hiddenActivation: HiddenActivation = .tanh

    func validate() throws {
        guard trainCount > 0, batchSize > 0, learningRate > 0, stride > 0, poolWindow > 0, poolStride > 0 else {
            throw ValidationError("--train-count, --batch-size, --learning-rate, --stride and the pooling sizes must be positive")
        }
    }

    var configuration: LeNetConfiguration {
        var c = LeNetConfiguration()
        c.convolutionStride = stride
        c.fullConvolution = full
        c.poolWindow = poolWindow
        c.poolStride = poolStride
        c.localResponseNorm = lrn
        c.hiddenActivation = hiddenActivation.activation
        return c
    }

    func training(epochs: Int) -> LeNetTraining.Options {
        var o = LeNetTraining.Options()
        o.epochs = epochs
        o.batchSize = batchSize
        o.learningRate = learningRate
        o.seed = seed
        return o
    }

    func load() throws -> (train: MNIST, test: MNIST) {
        let digits = try MNIST.load(csv: data)
        guard trainCount < digits.count else {
            throw ValidationError("--train-count \(trainCount) leaves no test digits (\(data) has \(digits.count))")
        }
        let (train, test) = digits.split(trainCount: trainCount, seed: seed)
        guard let testCount else { return (train, test) }
        guard testCount > 0 && testCount <= test.count else {
            throw ValidationError("--test-count must be in 1...\(test.count) after \(trainCount) training digits")
        }
        return (train, test.subset(Array(0..<testCount)))
    }
}

/// `galaxynet lenet`: trains LeNet on MNIST with one backend.
struct LeNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lenet", abstract: "Train LeNet on real MNIST digits and report test error per epoch.")

    @OptionGroup var options: LeNetOptions
    @Option(help: "Epochs of SGD.") var epochs = 5
    @OptionGroup var compute: BackendOptions

    func validate() throws { guard epochs > 0 else { throw ValidationError("--epochs must be positive") } }

    func run() throws {
        let (train, test) = try options.load()
        print("LeNet (\(options.configuration.summary)) on \(train.count) training / \(test.count) test digits, backend \(compute.backend.rawValue)")
        print("epoch  train loss  test error  seconds  images/s")
        let run = LeNetTraining(configuration: options.configuration, options: options.training(epochs: epochs), backend: compute.backend.backend)
        let epochs = run.run(train: train, test: test) { e in
            print(String(format: "%5d  %10.4f  %9.2f%%  %7.2f  %8.1f", e.epoch, e.trainLoss, 100 * e.testError, e.seconds, e.imagesPerSecond))
        }
        let total = epochs.map(\.seconds).reduce(0, +)
        print(String(format: "final test error %.2f%%, training wall time %.1f s", 100 * epochs.last!.testError, total))
    }
}

/// `galaxynet bench lenet`: the same LeNet run on both backends, and the speed-up.
struct LeNetBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lenet",
                                                    abstract: "LeNet/MNIST on the reference and the fast backend: wall time, images/s, speed-up, test error.")

    @OptionGroup var options: LeNetOptions
    @Option(help: "Epochs on each backend (the reference backend takes ~80 s per epoch).") var epochs = 1
    @OptionGroup var output: JSONOptions

    func validate() throws { guard epochs > 0 else { throw ValidationError("--epochs must be positive") } }

    struct Report: Codable {
        struct Side: Codable { var backend: String; var seconds: Double; var images_per_second: Double; var test_error: Double }
        var model: String
        var epochs: Int
        var train_count: Int
        var reference: Side
        var onednn: Side
        var speedup: Double
    }

    func run() throws {
        let (train, test) = try options.load()
        func side(_ choice: BackendChoice) -> Report.Side {
            let epochs = LeNetTraining(configuration: options.configuration, options: options.training(epochs: epochs), backend: choice.backend)
                .run(train: train, test: test)
            let seconds = epochs.map(\.seconds).reduce(0, +)
            return .init(backend: choice.rawValue, seconds: seconds, images_per_second: Double(train.count * epochs.count) / seconds,
                         test_error: epochs.last!.testError)
        }
        let fast = side(.onednn), reference = side(.reference)
        let report = Report(model: options.configuration.summary, epochs: epochs, train_count: train.count,
                            reference: reference, onednn: fast, speedup: reference.seconds / fast.seconds)
        if output.json { return try output.print(report) }
        print("LeNet (\(report.model)), \(report.epochs) epochs on \(report.train_count) MNIST digits, same seed on both backends")
        print("backend     wall time (s)   images/s   test error")
        for s in [reference, fast] {
            print(Text.pad(s.backend, 10) + String(format: " %14.1f %10.1f %11.2f%%", s.seconds, s.images_per_second, 100 * s.test_error))
        }
        print(String(format: "speed-up (reference time / onednn time): %.1fx", report.speedup))
    }
}
