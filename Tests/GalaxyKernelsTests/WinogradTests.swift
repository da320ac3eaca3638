import Foundation
import Testing
import GalaxyTensor
import GalaxyKernels
import GalaxyAutodiff
import TestSupport

/// 5×5 convolutions by Winograd F(2×2, 5×5), which the fast backend runs where oneDNN has AVX2
/// kernels only: forced here on any CPU with AVX2 and FMA, against the reference.
extension BackendAgreementTests {
    static let winograd: OneDNNBackend? = {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("flags") }
        guard let flags, flags.contains(" avx2 "), flags.contains(" fma ") else { return nil }
        return OneDNNBackend(fiveByFive: .winograd)
    }()

    /// Forward values and every gradient, with each kind of bias, with and without ReLU, with
    /// padding, with a last block of fewer tiles than a full one; shapes the kernel cannot take
    /// (odd output sizes, channels not in blocks of 8) go to oneDNN and agree as well.
    @Test func winograd5x5AgreesWithTheReference() {
        guard let backend = Self.winograd else { print("winograd5x5AgreesWithTheReference skipped: the CPU lacks AVX2 or FMA"); return }
        let cases: [(n: Int, c: Int, o: Int, size: Int, geometry: Convolution2DGeometry, mode: BiasMode, relu: Bool, winograd: Bool)] = [
            (3, 32, 64, 20, .valid(), .untied, true, true),       // conv2 of the best model
            (37, 16, 32, 20, .valid(), .tied, true, true),        // the small model's, a last block of 16 tiles
            (1, 8, 16, 10, .same(kernelHeight: 5, kernelWidth: 5), .tied, false, true),
            (2, 16, 32, 8, .full(kernelHeight: 5, kernelWidth: 5), .none, true, true),
            (2, 16, 32, 11, .valid(), .untied, true, false),      // 7×7 output: no whole 2×2 tiles
            (1, 12, 16, 10, .valid(), .tied, true, false),        // 12 channels: not whole blocks of 8
        ]
        for (i, t) in cases.enumerated() {
            let x = TestSupport.random([t.n, t.c, t.size, t.size], seed: UInt64(400 + i))
            let w = TestSupport.random([t.o, t.c, 5, 5], seed: UInt64(410 + i), scale: 0.1)
            let (oh, ow) = t.geometry.outputSize(height: t.size, width: t.size, kernelHeight: 5, kernelWidth: 5)
            let b = TestSupport.random(t.mode == .untied ? [t.o, oh, ow] : [t.o], seed: UInt64(420 + i))
            #expect(backend.runsWinograd5x5(input: x.shape, weight: w.shape, geometry: t.geometry) == t.winograd, "case \(i)")
            expectAgreement([x, w, b], "5×5 case \(i): x \(x.shape) w \(w.shape) \(t.geometry) \(t.mode) relu \(t.relu)", on: backend) { v in
                conv2d(v[0], weight: v[1], bias: t.mode == .none ? nil : v[2], biasMode: t.mode, geometry: t.geometry, relu: t.relu)
            }
        }
    }

    /// Every output is computed by the same operations however the tiles are split between threads.
    @Test func winograd5x5DoesNotDependOnTheThreadCount() {
        guard let backend = Self.winograd else { print("winograd5x5DoesNotDependOnTheThreadCount skipped: the CPU lacks AVX2 or FMA"); return }
        let x = TestSupport.random([5, 32, 20, 20], seed: 430, backend: backend), w = TestSupport.random([64, 32, 5, 5], seed: 431, scale: 0.1, backend: backend)
        let b = TestSupport.random([64, 16, 16], seed: 432, backend: backend)
        func run() -> [Float] { backend.conv2d(x, weight: w, bias: .untied(b), geometry: .valid(), fuseReLU: true).plain.scalars }
        let once = OneDNNBackend.withKernelThreads(1, run)
        for threads in [2, 3, 7] { #expect(OneDNNBackend.withKernelThreads(threads, run) == once, "\(threads) threads") }
    }
}
