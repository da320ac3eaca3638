import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyKernels
import GalaxyNetwork
import GalaxyZoo

/// The measured figures of `KernelBenchmark`: each layer's forward and backward time and its
/// throughput as a share of the same run's sgemm.
public struct KernelReport: Codable, Sendable {
    public struct Layer: Codable, Sendable {
        public var name: String
        public var shape: String
        public var forward_ms: Double
        public var backward_ms: Double
        public var gflops: Double
        public var ratio_to_sgemm: Double
    }
    public var model: String
    public var backend: String
    public var images: Int
    public var parts: Int
    public var sgemm_size: Int
    public var sgemm_gflops: Double
    public var blas_kernels: String
    public var blas_threading: String
    public var onednn_isa: String
    public var layers: [Layer]

    public var table: String {
        var lines = [
            "GalaxyNet kernel benchmark — model \(model), backend \(backend), \(images) images = \(parts) parts of 3×45×45, median of runs",
            "sgemm \(sgemm_size)³ (OpenBLAS \(blas_kernels) kernels, \(blas_threading) threads, same run): " + String(format: "%.1f GFLOP/s", sgemm_gflops)
                + "; oneDNN runs \(onednn_isa) kernels",
            "",
            "layer    shape                                 forward ms  backward ms   GFLOP/s  ratio to sgemm",
        ]
        for l in layers {
            lines.append(Text.pad(l.name, 8) + " " + Text.pad(l.shape, 36)
                         + String(format: " %10.2f %12.2f %9.1f %14.2f", l.forward_ms, l.backward_ms, l.gflops, l.ratio_to_sgemm))
        }
        let fwd = layers.map(\.forward_ms).reduce(0, +), bwd = layers.map(\.backward_ms).reduce(0, +)
        lines.append(Text.pad("total", 8) + " " + Text.pad("", 36) + String(format: " %10.2f %12.2f", fwd, bwd))
        lines.append("GFLOP/s counts forward + backward multiply-adds ×2; pools count one op per window element.")
        return lines.joined(separator: "\n")
    }
}

/// Runs a model's layers one by one on realistic inputs, as its configuration declares them:
/// each layer's input is the previous layer's output (so oneDNN's layouts flow as in training)
/// and each backward gets the gradient the following layer produced.
public struct KernelBenchmark {
    public let configuration: ModelConfiguration
    public let backend: any Backend
    public let images: Int
    public let runs: Int
    public let sgemmSize: Int

    public init(configuration: ModelConfiguration, backend: any Backend, images: Int, runs: Int, sgemmSize: Int) {
        (self.configuration, self.backend, self.images, self.runs, self.sgemmSize) = (configuration, backend, images, runs, sgemmSize)
    }

    public func measure() -> KernelReport {
        let peak = Self.sgemmPeak(size: sgemmSize, runs: runs)
        var generator = SeededGenerator(seed: 1)
        let parts = images * Parts.count
        let pool = Pooling2DGeometry(window: 2, stride: 2)

        // Forward chain, keeping every layer's operands.
        struct ConvState { var input: Tensor; var weight: Tensor; var bias: ConvolutionBias; var output: Tensor; var pooled: PoolingResult? }
        var states: [ConvState] = []
        var x = Tensor.randomUniform(shape: [parts, 3, Parts.partSize, Parts.partSize], generator: &generator, backend: backend)
        for spec in configuration.convolutions {
            let w = Tensor.randomNormal(shape: [spec.filters, x.shape[1], spec.kernel, spec.kernel], standardDeviation: 0.01,
                                        generator: &generator, backend: backend)
            let size = x.shape[2] - spec.kernel + 1
            let b: ConvolutionBias = configuration.untiedBiases
                ? .untied(Tensor(repeating: 0.1, shape: [spec.filters, size, size], backend: backend))
                : .tied(Tensor(repeating: 0.1, shape: [spec.filters], backend: backend))
            let y = x.conv2d(weight: w, bias: b, fuseReLU: true)
            let pooled = spec.poolAfter ? y.maxPool2d(pool) : nil
            states.append(ConvState(input: x, weight: w, bias: b, output: y, pooled: pooled))
            x = pooled?.output ?? y
        }

        // Backward chain from a random gradient of the last feature map.
        var gradient = Tensor.randomNormal(shape: x.shape, standardDeviation: 1, generator: &generator, backend: backend)
        var outputGradients = [Tensor?](repeating: nil, count: states.count), pooledGradients = outputGradients
        for (i, s) in states.enumerated().reversed() {
            if let pooled = s.pooled {
                pooledGradients[i] = gradient
                gradient = backend.maxPool2dBackward(s.output, geometry: pool, result: pooled, outputGradient: gradient)
            }
            outputGradients[i] = gradient
            if i > 0 {
                gradient = backend.conv2dBackward(s.input, weight: s.weight, bias: s.bias, geometry: .valid(), fuseReLU: true,
                                                  output: s.output, outputGradient: gradient, needsInputGradient: true).input!
            }
        }

        var layers: [KernelReport.Layer] = []
        for (i, (spec, s)) in zip(configuration.convolutions, states).enumerated() {
            let forward = Timing.medianSeconds(runs: runs) { _ = backend.conv2d(s.input, weight: s.weight, bias: s.bias, geometry: .valid(), fuseReLU: true) }
            // The first layer needs no input gradient (its input is the image).
            let backward = Timing.medianSeconds(runs: runs) {
                _ = backend.conv2dBackward(s.input, weight: s.weight, bias: s.bias, geometry: .valid(), fuseReLU: true,
                                           output: s.output, outputGradient: outputGradients[i]!, needsInputGradient: i > 0)
            }
            let macs = Double(s.output.count) * Double(s.input.shape[1] * spec.kernel * spec.kernel)
            let flops = 2 * macs * (i > 0 ? 3 : 2)
            layers.append(layer("conv\(i + 1)", "\(s.input.shape)→\(s.output.shape)", forward, backward, flops, peak))
            if let pooled = s.pooled {
                let f = Timing.medianSeconds(runs: runs) { _ = backend.maxPool2d(s.output, geometry: pool) }
                let b = Timing.medianSeconds(runs: runs) {
                    _ = backend.maxPool2dBackward(s.output, geometry: pool, result: pooled, outputGradient: pooledGradients[i]!)
                }
                layers.append(layer("pool\(i + 1)", "\(s.output.shape)→\(pooled.output.shape)", f, b, Double(s.output.count) * 2, peak))
            }
        }

        // Dense layers as the configuration chains them: per part first, then on the merged features.
        var features = x.shape[1] * x.shape[2] * x.shape[3], products: [(String, Int, Int, Int)] = []
        for (i, d) in configuration.partDense.enumerated() { products.append(("part\(i + 1)", parts, features, d.units)); features = d.outputs }
        features *= Parts.count
        for (i, d) in configuration.dense.enumerated() { products.append(("dense\(i + 1)", images, features, d.units)); features = d.outputs }
        products.append(("output", images, features, configuration.tree.outputCount))
        for (name, rows, inputs, outputs) in products {
            let a = Tensor.randomNormal(shape: [rows, inputs], standardDeviation: 1, generator: &generator, backend: backend)
            let w = Tensor.randomNormal(shape: [inputs, outputs], standardDeviation: 0.001, generator: &generator, backend: backend)
            let dy = Tensor.randomNormal(shape: [rows, outputs], standardDeviation: 1, generator: &generator, backend: backend)
            let f = Timing.medianSeconds(runs: runs) { _ = Tensor.matmul(a, w) }
            let b = Timing.medianSeconds(runs: runs) {
                _ = Tensor.matmul(a, transposeA: true, dy)   // weight gradient
                _ = Tensor.matmul(dy, w, transposeB: true)   // input gradient
            }
            layers.append(layer(name, "[\(rows), \(inputs)]·[\(inputs), \(outputs)]", f, b, 3 * 2 * Double(rows * inputs * outputs), peak))
        }
        return KernelReport(model: configuration.name, backend: backend.name, images: images, parts: parts, sgemm_size: sgemmSize, sgemm_gflops: peak,
                            blas_kernels: BLASInfo.coreName, blas_threading: BLASInfo.threading, onednn_isa: BLASInfo.oneDNNISA, layers: layers)
    }

    private func layer(_ name: String, _ shape: String, _ forward: Double, _ backward: Double, _ flops: Double, _ peak: Double) -> KernelReport.Layer {
        let gflops = flops / (forward + backward) / 1e9
        return .init(name: name, shape: shape, forward_ms: forward * 1e3, backward_ms: backward * 1e3, gflops: gflops, ratio_to_sgemm: gflops / peak)
    }

    /// GFLOP/s of an n×n×n product through the fast backend's BLAS (the machine's practical peak).
    public static func sgemmPeak(size sgemmSize: Int, runs: Int) -> Double {
        var g = SeededGenerator(seed: 2)
        let fast = OneDNNBackend.sharedFast
        let a = Tensor.randomUniform(shape: [sgemmSize, sgemmSize], generator: &g, backend: fast)
        let b = Tensor.randomUniform(shape: [sgemmSize, sgemmSize], generator: &g, backend: fast)
        let seconds = Timing.medianSeconds(runs: max(3, min(runs, 5))) { _ = Tensor.matmul(a, b) }
        return 2 * pow(Double(sgemmSize), 3) / seconds / 1e9
    }
}
