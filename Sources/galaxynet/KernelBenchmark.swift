import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyKernels
import GalaxyZoo

/// `galaxynet bench kernels`: the layers of the winning net at 256 parts (16 images × 16 parts),
/// forward and backward, against the same run's 4096³ sgemm.
struct KernelBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Per-layer forward/backward time and GFLOP/s of the winning net, with the same-run sgemm peak.")

    @OptionGroup var compute: BackendOptions
    @Option(help: "Images per batch; the conv stack sees 16 parts per image.") var images: Int = 16
    @Option(help: "Timed runs per measurement (the median is reported).") var runs: Int = 5
    @Option(help: "Size n of the n×n×n sgemm that measures the machine's peak.") var sgemmSize: Int = 4096
    @OptionGroup var output: JSONOptions

    func validate() throws {
        guard images > 0, runs > 0, sgemmSize > 0 else { throw ValidationError("--images, --runs and --sgemm-size must be positive") }
    }

    func run() throws {
        let report = KernelBenchmark(backend: compute.backend.backend, images: images, runs: runs, sgemmSize: sgemmSize).measure()
        if output.json { try output.print(report) } else { print(report.table) }
    }
}

/// The measured figures.
struct KernelReport: Codable {
    struct Layer: Codable {
        var name: String
        var shape: String
        var forward_ms: Double
        var backward_ms: Double
        var gflops: Double
        var ratio_to_sgemm: Double
    }
    var backend: String
    var images: Int
    var parts: Int
    var sgemm_size: Int
    var sgemm_gflops: Double
    var blas_kernels: String
    var blas_threading: String
    var onednn_isa: String
    var layers: [Layer]

    var table: String {
        var lines = [
            "GalaxyNet kernel benchmark — backend \(backend), \(images) images = \(parts) parts of 3×45×45, median of runs",
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

/// Runs the winning net's layers one by one on realistic inputs: each layer's input is the
/// previous layer's output (so oneDNN's layouts flow as in training) and each backward gets the
/// gradient the following layer produced.
struct KernelBenchmark {
    let backend: any Backend
    let images: Int
    let runs: Int
    let sgemmSize: Int

    struct ConvSpec { let name: String; let outChannels: Int; let kernel: Int; let poolAfter: Bool }
    static let convs = [ConvSpec(name: "conv1", outChannels: 32, kernel: 6, poolAfter: true),
                        ConvSpec(name: "conv2", outChannels: 64, kernel: 5, poolAfter: true),
                        ConvSpec(name: "conv3", outChannels: 128, kernel: 3, poolAfter: false),
                        ConvSpec(name: "conv4", outChannels: 128, kernel: 3, poolAfter: true)]

    func measure() -> KernelReport {
        let peak = sgemmPeak()
        var layers: [KernelReport.Layer] = []
        var generator = SeededGenerator(seed: 1)
        let parts = images * 16
        let pool = Pooling2DGeometry(window: 2, stride: 2)

        // Forward chain, keeping every layer's operands.
        struct ConvState { var input: Tensor; var weight: Tensor; var bias: ConvolutionBias; var output: Tensor; var pooled: PoolingResult? }
        var states: [ConvState] = []
        var x = Tensor.randomUniform(shape: [parts, 3, 45, 45], generator: &generator, backend: backend)
        for spec in Self.convs {
            let w = Tensor.randomNormal(shape: [spec.outChannels, x.shape[1], spec.kernel, spec.kernel], standardDeviation: 0.01,
                                        generator: &generator, backend: backend)
            let size = x.shape[2] - spec.kernel + 1
            let b = ConvolutionBias.untied(Tensor(repeating: 0.1, shape: [spec.outChannels, size, size], backend: backend))
            let y = x.conv2d(weight: w, bias: b, fuseReLU: true)
            let pooled = spec.poolAfter ? y.maxPool2d(pool) : nil
            states.append(ConvState(input: x, weight: w, bias: b, output: y, pooled: pooled))
            x = pooled?.output ?? y
        }

        // Backward chain from a random gradient of the merged features.
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

        for (i, (spec, s)) in zip(Self.convs, states).enumerated() {
            let forward = Timing.medianSeconds(runs: runs) { _ = backend.conv2d(s.input, weight: s.weight, bias: s.bias, geometry: .valid(), fuseReLU: true) }
            // The first layer needs no input gradient (its input is the image).
            let backward = Timing.medianSeconds(runs: runs) {
                _ = backend.conv2dBackward(s.input, weight: s.weight, bias: s.bias, geometry: .valid(), fuseReLU: true,
                                           output: s.output, outputGradient: outputGradients[i]!, needsInputGradient: i > 0)
            }
            let macs = Double(s.output.count) * Double(s.input.shape[1] * spec.kernel * spec.kernel)
            let flops = 2 * macs * (i > 0 ? 3 : 2)
            layers.append(layer(spec.name, "\(s.input.shape)→\(s.output.shape)", forward, backward, flops, peak))
            if let pooled = s.pooled {
                let f = Timing.medianSeconds(runs: runs) { _ = backend.maxPool2d(s.output, geometry: pool) }
                let b = Timing.medianSeconds(runs: runs) {
                    _ = backend.maxPool2dBackward(s.output, geometry: pool, result: pooled, outputGradient: pooledGradients[i]!)
                }
                layers.append(layer("pool\(i + 1)", "\(s.output.shape)→\(pooled.output.shape)", f, b, Double(s.output.count) * 2, peak))
            }
        }

        for (name, inputs, outputs) in [("dense1", 8192, 4096), ("dense2", 2048, 4096), ("output", 2048, DecisionTree.outputCount)] {
            let a = Tensor.randomNormal(shape: [images, inputs], standardDeviation: 1, generator: &generator, backend: backend)
            let w = Tensor.randomNormal(shape: [inputs, outputs], standardDeviation: 0.001, generator: &generator, backend: backend)
            let dy = Tensor.randomNormal(shape: [images, outputs], standardDeviation: 1, generator: &generator, backend: backend)
            let f = Timing.medianSeconds(runs: runs) { _ = Tensor.matmul(a, w) }
            let b = Timing.medianSeconds(runs: runs) {
                _ = Tensor.matmul(a, transposeA: true, dy)   // weight gradient
                _ = Tensor.matmul(dy, w, transposeB: true)   // input gradient
            }
            layers.append(layer(name, "[\(images), \(inputs)]·[\(inputs), \(outputs)]", f, b, 3 * 2 * Double(images * inputs * outputs), peak))
        }
        return KernelReport(backend: backend.name, images: images, parts: parts, sgemm_size: sgemmSize, sgemm_gflops: peak,
                            blas_kernels: BLASInfo.coreName, blas_threading: BLASInfo.threading, onednn_isa: BLASInfo.oneDNNISA, layers: layers)
    }

    private func layer(_ name: String, _ shape: String, _ forward: Double, _ backward: Double, _ flops: Double, _ peak: Double) -> KernelReport.Layer {
        let gflops = flops / (forward + backward) / 1e9
        return .init(name: name, shape: shape, forward_ms: forward * 1e3, backward_ms: backward * 1e3, gflops: gflops, ratio_to_sgemm: gflops / peak)
    }

    /// GFLOP/s of an n×n×n product through OpenBLAS (the machine's practical peak).
    func sgemmPeak() -> Double { Self.sgemmPeak(size: sgemmSize, runs: runs) }

    static func sgemmPeak(size sgemmSize: Int, runs: Int) -> Double {
        var g = SeededGenerator(seed: 2)
        let fast = OneDNNBackend.sharedFast
        let a = Tensor.randomUniform(shape: [sgemmSize, sgemmSize], generator: &g, backend: fast)
        let b = Tensor.randomUniform(shape: [sgemmSize, sgemmSize], generator: &g, backend: fast)
        let seconds = Timing.medianSeconds(runs: max(3, min(runs, 5))) { _ = Tensor.matmul(a, b) }
        return 2 * pow(Double(sgemmSize), 3) / seconds / 1e9
    }
}
