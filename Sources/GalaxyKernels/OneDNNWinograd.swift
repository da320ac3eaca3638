import CDNNL
import GalaxyCore
import GalaxyTensor
import GalaxyKernelsAVX2

/// 5×5 convolutions by Winograd's minimal filtering (`Winograd5x5`) where oneDNN runs AVX2
/// kernels: its 2.6 has Winograd for 3×3 kernels with AVX-512 only, and computes conv2 of the best
/// model (5×5, 32 → 64 channels) by the direct sum at the two cores' AVX2 peak — 40 % of an
/// update. With 2.8× fewer multiplies the forward pass (F(2×2, 5×5)) and the weight gradient
/// (F(5×5, 2×2)) take about half the time (docs/performance.md). The input gradient stays with
/// oneDNN: a full correlation of the output gradient, it has 1.6× the tiles and twice the channels
/// to transform, and came out no faster (30 against 30 ms). Results agree with the direct sum to
/// ~1e-6 of their scale (`BackendAgreementTests`) and do not depend on the thread count.
extension OneDNNBackend {
    /// Whether a convolution of this shape takes the Winograd path on this backend.
    public func runsWinograd5x5(input: [Int], weight: [Int], geometry: Convolution2DGeometry) -> Bool {
        winograd5x5(input: input, weight: weight, geometry: geometry) != nil
    }

    /// The Winograd correlation computing a 5×5 convolution's forward pass, when this path takes
    /// it: unit strides, the same padding on every side, channels in whole blocks of 8 (outputs
    /// of 16), even output sizes.
    func winograd5x5(input: [Int], weight: [Int], geometry g: Convolution2DGeometry) -> Winograd5x5.Geometry? {
        guard winograd5x5, input.count == 4, weight.count == 4, weight[2] == 5, weight[3] == 5, g.strideY == 1, g.strideX == 1,
              Set([g.padTop, g.padBottom, g.padLeft, g.padRight]).count == 1 else { return nil }
        let w = Winograd5x5.Geometry(batch: input[0], inputs: weight[1], outputs: weight[0], height: input[2], width: input[3], padding: g.padTop)
        return w.isSupported ? w : nil
    }

    /// The forward pass: bias (tied or untied) and ReLU applied as each tile is written.
    func winogradConvolution(_ input: Tensor, weight: Tensor, bias: ConvolutionBias, relu: Bool, _ g: Winograd5x5.Geometry) -> Tensor {
        let x = converted(input, to: Self.blocked8([g.batch, g.inputs, g.height, g.width]))
        let w = weight.plain, u = output([36, g.inputs, g.outputs])
        Winograd5x5.transformFilters(w.storage.pointer, outputs: g.outputs, inputs: g.inputs, into: u.storage.pointer)
        let y = allocate([g.batch, g.outputs, g.outputHeight, g.outputWidth], Self.blocked8([g.batch, g.outputs, g.outputHeight, g.outputWidth]))
        let one = Self.blocked8([1, g.outputs, g.outputHeight, g.outputWidth])
        let b: Tensor? = switch bias {
        case .none: nil
        case .tied(let b): b.plain
        case .untied(let b): converted(b.plain.reshaped([1] + b.shape), to: one)
        }
        let kind: Winograd5x5.Bias = switch bias {
        case .none: .none
        case .tied: .perChannel(UnsafePointer(b!.storage.pointer))
        case .untied: .perPosition(UnsafePointer(b!.storage.pointer))
        }
        run(x, u, y, g, bias: kind, relu: relu)
        return y
    }

    /// The geometry of a 5×5 convolution whose weight gradient this path computes.
    func winograd5x5WeightGradient(input: [Int], weight: [Int], geometry: Convolution2DGeometry) -> Winograd5x5.Geometry? {
        winograd5x5(input: input, weight: weight, geometry: geometry).flatMap { Winograd5x5.computesWeightGradient($0) ? $0 : nil }
    }

    /// The weight gradient (plain) and, for a tied bias, the bias gradient by F(5×5, 2×2).
    func winogradWeightGradient(_ input: Tensor, outputGradient: Tensor, tiedBias: Bool, _ g: Winograd5x5.Geometry) -> (Tensor, Tensor?) {
        let x = converted(input, to: Self.blocked8([g.batch, g.inputs, g.height, g.width]))
        let dy = converted(outputGradient, to: Self.blocked8([g.batch, g.outputs, g.outputHeight, g.outputWidth]))
        let dw = output([g.outputs, g.inputs, 5, 5]), db = tiedBias ? output([g.outputs]) : nil
        ComputePool.serialised {
            Winograd5x5.weightGradient(input: x.storage.pointer, outputGradient: dy.storage.pointer, g, into: dw.storage.pointer,
                                       biasGradient: db?.storage.pointer) { count, body in
                OpenMP.parallel { thread, threads in body((count * thread / threads)..<(count * (thread + 1) / threads)) }
            }
        }
        return (dw, db)
    }

    private func run(_ x: Tensor, _ u: Tensor, _ y: Tensor, _ g: Winograd5x5.Geometry, bias: Winograd5x5.Bias, relu: Bool) {
        ComputePool.serialised {
            Winograd5x5.correlate(x.storage.pointer, u.storage.pointer, into: y.storage.pointer, g, bias: bias, relu: relu) { count, body in
                OpenMP.parallel { thread, threads in body((count * thread / threads)..<(count * (thread + 1) / threads)) }
            }
        }
    }

    /// nChw8c: the layout oneDNN's AVX2 kernels use and this kernel reads and writes.
    static func blocked8(_ shape: [Int]) -> MemoryDescriptor { MemoryDescriptor(shape: shape, tag: dnnl_aBcd8b) }
}
