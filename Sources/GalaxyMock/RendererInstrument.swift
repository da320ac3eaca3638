import Foundation
import GalaxyImaging
import GalaxyCore

/// What the telescope and the survey pipeline add to a rendered galaxy: PSF blur, sky noise and
/// the asinh colour stretch into 8-bit RGB.
extension GalaxyRenderer {
    // MARK: Instrument

    /// Separable Gaussian blur (the point-spread function) of the flux planes inside a window;
    /// the window's edges read the pixels beyond it, clamped at the frame.
    mutating func blur(sigma: Float, columns: Range<Int>, rows: Range<Int>) {
        let radius = Int((3 * sigma).rounded(.up))
        var weights = (-radius...radius).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        let n = Self.size, width = columns.count
        guard width > 0, !rows.isEmpty else { return }
        // Rows (extended by the radius so the column pass has its margins), then columns.
        let extended = max(0, rows.lowerBound - radius)..<min(n, rows.upperBound + radius)
        var scratch = [Float](repeating: 0, count: n * width)
        weights.withUnsafeBufferPointer { w in
            flux.withUnsafeMutableBufferPointer { f in
                scratch.withUnsafeMutableBufferPointer { t in
                    for plane in 0..<3 {
                        let p = f.baseAddress! + plane * n * n, q = t.baseAddress!
                        for y in extended {
                            let row = p + y * n, out = q + y * width
                            for x in 0..<width {
                                let cx = columns.lowerBound + x
                                var acc: Float = 0
                                for k in 0...(2 * radius) { acc += w[k] * row[min(n - 1, max(0, cx - radius + k))] }
                                out[x] = acc
                            }
                        }
                        for y in rows {
                            let out = p + y * n + columns.lowerBound
                            for x in 0..<width { out[x] = 0 }
                            for k in 0...(2 * radius) {
                                let source = q + min(extended.upperBound - 1, max(extended.lowerBound, y - radius + k)) * width, weight = w[k]
                                for x in 0..<width { out[x] += weight * source[x] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// 65,536 standard normal deviates drawn once from a fixed seed.
    static let gaussianTable: [Float] = {
        var g = SeededGenerator(seed: 0x5EED)
        return (0..<65_536).map { _ in g.nextNormal() }
    }()

    /// Adds sky noise and maps flux to 8-bit colour with the asinh stretch of SDSS colour images
    /// (Lupton et al. 2004): the stretch acts on the mean intensity and every channel is scaled by
    /// the same factor, so colours stay saturated in bright cores instead of washing to white.
    func stretched(_ g: inout SeededGenerator) -> RGBImage {
        let n = Self.size
        let softening: Float = 1.6, saturation: Float = 300, entries = 8192
        let highest = saturation
        let scale = Float(entries - 1) / highest
        let norm = asinh(saturation / softening)
        // factor(I) = asinh(I / softening) / (norm · I), tabulated (asinh per pixel would dominate).
        let factor: [Float] = (0..<entries).map { i in
            let intensity = max(Float(i) / scale, 1e-3)
            return asinh(intensity / softening) / (norm * intensity)
        }
        var pixels = [UInt8](repeating: 0, count: 3 * n * n)
        let plane = n * n, offset: Float = 0.03
        // Sky noise (σ = 1): Gaussian deviates from a fixed table, indexed by 16 random bits,
        // four per 64-bit draw (Box–Muller per pixel would cost more than the whole render).
        Self.gaussianTable.withUnsafeBufferPointer { noise in
            factor.withUnsafeBufferPointer { stretch in
                flux.withUnsafeBufferPointer { f in
                    pixels.withUnsafeMutableBufferPointer { out in
                        var bits: UInt64 = 0, left = 0
                        var value: (Float, Float, Float) = (0, 0, 0)
                        for pixel in 0..<plane {
                            for channel in 0..<3 {
                                if left == 0 { bits = g.next(); left = 4 }
                                let v = f[channel * plane + pixel] + noise[Int(bits & 0xFFFF)]
                                bits >>= 16; left -= 1
                                switch channel { case 0: value.0 = v; case 1: value.1 = v; default: value.2 = v }
                            }
                            let intensity = max(0, (value.0 + value.1 + value.2) / 3)
                            let k = stretch[Int(min(intensity, highest) * scale)] * 255
                            out[3 * pixel] = UInt8(max(0, min(255, (value.0 * k + offset * 255))))
                            out[3 * pixel + 1] = UInt8(max(0, min(255, (value.1 * k + offset * 255))))
                            out[3 * pixel + 2] = UInt8(max(0, min(255, (value.2 * k + offset * 255))))
                        }
                    }
                }
            }
        }
        return RGBImage(width: n, height: n, pixels: pixels)
    }
}
