/// Convolution with 5×5 kernels by Winograd's minimal filtering F(2×2, 5×5) (Lavin & Gray 2016),
/// on images in the 8-channel-blocked layout oneDNN uses on AVX2 (nChw8c: [N][C/8][H][W][8]).
///
/// Each 2×2 block of outputs ("tile") is computed from the 6×6 block of input under it as
/// Y = Aᵀ[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]·A: 36 multiplies per channel pair instead of the 100 of the
/// direct sum — 2.8× fewer. The 36 elementwise products over channels become 36 matrix products
/// [tiles × inputs]·[inputs × outputs], done here by a register-blocked kernel in 8-wide fused
/// multiply-adds. Interpolation points 0, ±1, ±2 and ∞ (the same Bᵀ as oneDNN's F(4×4, 3×3)).
///
/// This module is compiled for AVX2 with FMA (Package.swift): call it only where the CPU has
/// them (`GalaxyKernels` asks oneDNN which instruction set it runs).
public enum Winograd5x5 {
    /// Tiles per block: a block's transformed inputs and products (36 × tiles × channels each)
    /// stay in the core's L2 cache between the three stages.
    static let tilesPerBlock = 24

    /// One correlation: input [batch, inputs, height, width] with `padding` zeros on every side,
    /// output [batch, outputs, height + 2·padding − 4, width + 2·padding − 4]; both nChw8c.
    public struct Geometry: Sendable, Equatable {
        public let batch: Int, inputs: Int, outputs: Int, height: Int, width: Int, padding: Int
        public var outputHeight: Int { height + 2 * padding - 4 }
        public var outputWidth: Int { width + 2 * padding - 4 }

        public init(batch: Int, inputs: Int, outputs: Int, height: Int, width: Int, padding: Int) {
            (self.batch, self.inputs, self.outputs, self.height, self.width, self.padding) = (batch, inputs, outputs, height, width, padding)
        }

        /// Whether this kernel computes it: channels in whole blocks (outputs in pairs of
        /// blocks, the product kernel's width) and an output of whole 2×2 tiles.
        public var isSupported: Bool {
            batch > 0 && inputs > 0 && inputs % 8 == 0 && outputs > 0 && outputs % 16 == 0 && padding >= 0
                && outputHeight > 0 && outputHeight % 2 == 0 && outputWidth > 0 && outputWidth % 2 == 0
        }
    }

    /// How a bias is added to the output before the optional ReLU.
    public enum Bias {
        case none
        /// One value per output channel.
        case perChannel(UnsafePointer<Float>)
        /// One value per output channel and position, [outputs/8][outputHeight][outputWidth][8].
        case perPosition(UnsafePointer<Float>)
    }

    /// G·g·Gᵀ of every kernel, as U[36][inputs][outputs], from plain weights [outputs, inputs, 5, 5].
    public static func transformFilters(_ weight: UnsafePointer<Float>, outputs: Int, inputs: Int, into u: UnsafeMutablePointer<Float>) {
        let g: [Float] = [1 / 4, 0, 0, 0, 0, -1 / 6, -1 / 6, -1 / 6, -1 / 6, -1 / 6, -1 / 6, 1 / 6, -1 / 6, 1 / 6, -1 / 6,
                          1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3, 1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3, 0, 0, 0, 0, 1]   // G, 6 × 5
        var half = [Float](repeating: 0, count: 30)
        for o in 0..<outputs {
            for c in 0..<inputs {
                let kernel = weight + (o * inputs + c) * 25
                for i in 0..<6 {
                    for k in 0..<5 {
                        var sum: Float = 0
                        for a in 0..<5 { sum += g[i * 5 + a] * kernel[a * 5 + k] }
                        half[i * 5 + k] = sum
                    }
                }
                for i in 0..<6 {
                    for j in 0..<6 {
                        var sum: Float = 0
                        for k in 0..<5 { sum += half[i * 5 + k] * g[j * 5 + k] }
                        u[((i * 6 + j) * inputs + c) * outputs + o] = sum
                    }
                }
            }
        }
    }

    /// The correlation of `x` with the transformed kernels `u`, plus `bias`, through ReLU when
    /// `relu`, into `y`. `parallel(count, body)` calls `body` on ranges that cover the blocks of
    /// tiles 0..<count once (one range per thread); every output is computed by the same
    /// operations whatever the split.
    public static func correlate(_ x: UnsafePointer<Float>, _ u: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>,
                                 _ geometry: Geometry, bias: Bias, relu: Bool,
                                 parallel: (_ count: Int, _ body: (Range<Int>) -> Void) -> Void) {
        precondition(geometry.isSupported, "Winograd5x5: unsupported geometry \(geometry)")
        let tiles = geometry.batch * (geometry.outputHeight / 2) * (geometry.outputWidth / 2)
        let blocks = (tiles + tilesPerBlock - 1) / tilesPerBlock
        parallel(blocks) { range in
            let tb = tilesPerBlock
            let v = UnsafeMutablePointer<Float>.allocate(capacity: 36 * tb * geometry.inputs)
            let m = UnsafeMutablePointer<Float>.allocate(capacity: 36 * tb * geometry.outputs)
            defer { v.deallocate(); m.deallocate() }
            for block in range {
                let first = block * tb, count = min(tb, tiles - first)
                transformInputs(x, geometry, tiles: first..<(first + count), into: v)
                multiply(v, u, into: m, tiles: tb, inputs: geometry.inputs, outputs: geometry.outputs)
                transformOutputs(m, geometry, tiles: first..<(first + count), bias: bias, relu: relu, into: y)
            }
        }
    }
}
