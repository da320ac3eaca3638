import GalaxyCore

/// An 8-bit RGB image, pixels interleaved row by row (as JPEG decoders deliver them).
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// width × height × 3 bytes, R G B per pixel.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        require(pixels.count == width * height * 3, "RGBImage: \(pixels.count) bytes for \(width)x\(height)x3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: (r: UInt8, g: UInt8, b: UInt8) = (0, 0, 0)) {
        self.width = width
        self.height = height
        var p = [UInt8](repeating: 0, count: width * height * 3)
        for i in 0..<(width * height) { p[3 * i] = fill.r; p[3 * i + 1] = fill.g; p[3 * i + 2] = fill.b }
        pixels = p
    }

    /// Channel planes as floats in [0, 1]: [3][height][width] (CHW).
    public var planes: [Float] {
        var out = [Float](repeating: 0, count: pixels.count)
        let n = width * height
        for i in 0..<n { for c in 0..<3 { out[c * n + i] = Float(pixels[3 * i + c]) * (1 / 255) } }
        return out
    }

    /// An image from CHW float planes, clipped to [0, 1] and rounded.
    public init(planes: [Float], width: Int, height: Int) {
        let n = width * height
        require(planes.count == 3 * n, "RGBImage: \(planes.count) plane values for \(width)x\(height)x3")
        var p = [UInt8](repeating: 0, count: 3 * n)
        for i in 0..<n { for c in 0..<3 { p[3 * i + c] = UInt8(max(0, min(255, (planes[c * n + i] * 255).rounded()))) } }
        self.init(width: width, height: height, pixels: p)
    }

    /// Copies `other` with its top-left corner at (x, y), clipping at the edges.
    public mutating func paste(_ other: RGBImage, x: Int, y: Int) {
        for row in 0..<other.height where y + row >= 0 && y + row < height {
            for column in 0..<other.width where x + column >= 0 && x + column < width {
                for c in 0..<3 { pixels[((y + row) * width + x + column) * 3 + c] = other.pixels[(row * other.width + column) * 3 + c] }
            }
        }
    }
}

extension RGBImage {
    /// Box-filter shrink by an integer factor.
    public func shrunk(by factor: Int) -> RGBImage {
        guard factor > 1 else { return self }
        let w = width / factor, h = height / factor
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w { for c in 0..<3 {
            var total = 0
            for dy in 0..<factor { for dx in 0..<factor { total += Int(pixels[((y * factor + dy) * width + x * factor + dx) * 3 + c]) } }
            out[(y * w + x) * 3 + c] = UInt8(total / (factor * factor))
        } } }
        return RGBImage(width: w, height: h, pixels: out)
    }

    /// Images laid out in a grid with `gap` pixels of `background` between them.
    public static func grid(_ images: [RGBImage], columns: Int, gap: Int = 4,
                            background: (r: UInt8, g: UInt8, b: UInt8) = (40, 40, 40)) -> RGBImage {
        require(!images.isEmpty && columns > 0, "RGBImage.grid: needs images and a positive column count")
        let cellW = images.map(\.width).max()!, cellH = images.map(\.height).max()!
        let rows = (images.count + columns - 1) / columns
        var canvas = RGBImage(width: columns * cellW + (columns + 1) * gap, height: rows * cellH + (rows + 1) * gap, fill: background)
        for (i, image) in images.enumerated() {
            canvas.paste(image, x: gap + (i % columns) * (cellW + gap), y: gap + (i / columns) * (cellH + gap))
        }
        return canvas
    }
}

extension RGBImage {
    /// Nearest-neighbour enlargement by an integer factor (for looking at 45–69 px crops).
    public func enlarged(by factor: Int) -> RGBImage {
        guard factor > 1 else { return self }
        var out = [UInt8](repeating: 0, count: width * height * 9 * factor * factor / 3)
        let w = width * factor
        for y in 0..<(height * factor) { for x in 0..<w { for c in 0..<3 {
            out[(y * w + x) * 3 + c] = pixels[((y / factor) * width + x / factor) * 3 + c]
        } } }
        return RGBImage(width: w, height: height * factor, pixels: out)
    }

    /// Plots an ellipse outline (semi-axes a, b; major axis at `angle` radians from +x, y down).
    public mutating func drawEllipse(x cx: Double, y cy: Double, a: Double, b: Double, angle: Double, colour: (UInt8, UInt8, UInt8)) {
        // An unmeasured shape (NaN, or absurdly large) has nothing to draw.
        guard [cx, cy, a, b, angle].allSatisfy(\.isFinite), max(a, b) < 1e5 else { return }
        let steps = max(64, Int(8 * max(a, b)))
        for k in 0..<steps {
            let t = 2 * Double.pi * Double(k) / Double(steps)
            let u = a * _cos(t), v = b * _sin(t)
            let x = Int((cx + u * _cos(angle) - v * _sin(angle)).rounded()), y = Int((cy + u * _sin(angle) + v * _cos(angle)).rounded())
            guard x >= 0, y >= 0, x < width, y < height else { continue }
            let i = (y * width + x) * 3
            pixels[i] = colour.0; pixels[i + 1] = colour.1; pixels[i + 2] = colour.2
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Glibc.sin(x) }
#endif
