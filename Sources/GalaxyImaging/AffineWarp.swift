import Foundation
import GalaxyCore

/// A 2-D affine map u = M·p + offset, from output pixel p to source position u (x = column,
/// y = row, 0-based, pixel centres at integers).
public struct AffineMap: Sendable, Equatable {
    public var m00: Double, m01: Double, m10: Double, m11: Double, tx: Double, ty: Double

    public init(m00: Double, m01: Double, m10: Double, m11: Double, tx: Double, ty: Double) {
        self.m00 = m00; self.m01 = m01; self.m10 = m10; self.m11 = m11; self.tx = tx; self.ty = ty
    }

    public static let identity = AffineMap(m00: 1, m01: 0, m10: 0, m11: 1, tx: 0, ty: 0)
    public static func rotation(_ angle: Double) -> AffineMap {
        AffineMap(m00: cos(angle), m01: -sin(angle), m10: sin(angle), m11: cos(angle), tx: 0, ty: 0)
    }
    public static func scaling(_ s: Double) -> AffineMap { AffineMap(m00: s, m01: 0, m10: 0, m11: s, tx: 0, ty: 0) }
    public static func translation(_ x: Double, _ y: Double) -> AffineMap { AffineMap(m00: 1, m01: 0, m10: 0, m11: 1, tx: x, ty: y) }
    /// F = diag(−1, 1): a left–right mirror.
    public static let mirror = AffineMap(m00: -1, m01: 0, m10: 0, m11: 1, tx: 0, ty: 0)

    /// self ∘ other: apply `other` first.
    public func after(_ other: AffineMap) -> AffineMap {
        AffineMap(m00: m00 * other.m00 + m01 * other.m10, m01: m00 * other.m01 + m01 * other.m11,
                  m10: m10 * other.m00 + m11 * other.m10, m11: m10 * other.m01 + m11 * other.m11,
                  tx: m00 * other.tx + m01 * other.ty + tx, ty: m10 * other.tx + m11 * other.ty + ty)
    }

    public func apply(_ x: Double, _ y: Double) -> (x: Double, y: Double) { (m00 * x + m01 * y + tx, m10 * x + m11 * y + ty) }
}

/// The parameters of one image's transform (original-solution-spec.md §2.5–2.7).
public struct ViewTransform: Sendable, Equatable, Codable {
    /// The centre of a 424×424 Galaxy Zoo image, in pixel coordinates: where the galaxy sits.
    public static let imageCentre = 211.5
    /// Side of the Galaxy Zoo images in pixels.
    public static let imageSize = 424
    /// Side of a view, the network's input before it is cut into parts (original-solution-spec.md §4.1).
    public static let viewSize = 69
    /// Floats in one view of an SDSS colour cutout: 3 planes of 69×69 (`CutoutFormat.viewFloats` in general).
    public static let viewFloats = CutoutFormat.sdss.viewFloats

    /// This transform about a measured galaxy: its centroid and the rescale s of the centred
    /// variants. The one place an extraction becomes a transform; nil leaves it as it is.
    public func centred(on extraction: SourceExtraction?) -> ViewTransform {
        guard let e = extraction else { return self }
        var t = self
        t.centreX = e.x; t.centreY = e.y; t.scale = e.scale
        return t
    }

    /// Rotation θ (radians), translation (424-pixel units), zoom z (> 1 magnifies), flip.
    public var rotation: Double = 0
    public var translationX: Double = 0, translationY: Double = 0
    public var zoom: Double = 1
    public var flip = false
    /// Centring and rescaling from a source extraction: galaxy centre g and scale s.
    public var centreX: Double = Self.imageCentre, centreY: Double = Self.imageCentre
    public var scale: Double = 1

    public init(rotation: Double = 0, translationX: Double = 0, translationY: Double = 0, zoom: Double = 1, flip: Bool = false,
                centreX: Double = ViewTransform.imageCentre, centreY: Double = ViewTransform.imageCentre, scale: Double = 1) {
        self.rotation = rotation; self.translationX = translationX; self.translationY = translationY
        self.zoom = zoom; self.flip = flip; self.centreX = centreX; self.centreY = centreY; self.scale = scale
    }

    /// The inverse map of view φ in one piece:
    /// u = g + (k/s)·[(3/z)·R(θ)·F^f·R(φ)·(p − 34) + t], with k the cutout's size over 424
    /// (1 for SDSS, where the product is exactly the original's).
    public func map(viewAngle phi: Double, outputCentre: Double = 34, downsampling: Double = 3, sizeFactor: Double = 1) -> AffineMap {
        var linear = AffineMap.rotation(phi)
        if flip { linear = AffineMap.mirror.after(linear) }
        linear = AffineMap.scaling(downsampling / zoom).after(AffineMap.rotation(rotation).after(linear))
        linear = AffineMap.translation(translationX, translationY).after(linear)
        linear = AffineMap.translation(centreX, centreY).after(AffineMap.scaling(sizeFactor / scale).after(linear))
        return linear.after(.translation(-outputCentre, -outputCentre))
    }
}

/// Bilinear resampling of a source image (8-bit or deeper, colour or one band) through an affine
/// map, with reflect borders (mirrored about the edge pixel, which is not repeated), into CHW
/// float planes in [0, 1] units.
public enum AffineWarp {
    /// Reflects an index into 0..<n (…, 2, 1, 0, 1, 2, …, n−2, n−1, n−2, …).
    @inline(__always) public static func reflect(_ i: Int, _ n: Int) -> Int {
        guard n > 1 else { return 0 }
        let period = 2 * (n - 1)
        var k = i % period
        if k < 0 { k += period }
        return k < n ? k : period - k
    }

    /// Writes a size×size warp of `source` into `output` (`source.bands` planes of size² floats).
    public static func warp<Image: SourceImage>(_ source: Image, _ map: AffineMap, size: Int, into output: UnsafeMutablePointer<Float>) {
        // The stored types by name, so each gets a loop of its own: reached through the protocol
        // (an image is `any SourceImage` in the pipeline, and callers in other modules see only
        // the generic), every sample was a witness call — the warps of one image 0.49 → 0.23 ms.
        if let rgb = source as? RGBImage { return resample(rgb, map, size: size, into: output) }
        if let grey = source as? GreyImage { return resample(grey, map, size: size, into: output) }
        resample(source, map, size: size, into: output)
    }

    private static func resample<Image: SourceImage>(_ source: Image, _ map: AffineMap, size: Int, into output: UnsafeMutablePointer<Float>) {
        let w = source.width, h = source.height, plane = size * size, unit = Image.unit, bands = source.bands
        source.withSampler { src in
            for y in 0..<size {
                // Walk the row incrementally: u and v change by (m00, m10) per output pixel.
                var u = map.m01 * Double(y) + map.tx, v = map.m11 * Double(y) + map.ty
                for x in 0..<size {
                    // floor without a libm call (Int() truncates towards zero).
                    let x0 = Int(u) - (u < 0 && Double(Int(u)) != u ? 1 : 0), y0 = Int(v) - (v < 0 && Double(Int(v)) != v ? 1 : 0)
                    let fx = Float(u - Double(x0)), fy = Float(v - Double(y0))
                    let xa: Int, xb: Int, ya: Int, yb: Int
                    if x0 >= 0 && x0 < w - 1 && y0 >= 0 && y0 < h - 1 {
                        (xa, xb, ya, yb) = (x0, x0 + 1, y0, y0 + 1)
                    } else {
                        (xa, xb, ya, yb) = (reflect(x0, w), reflect(x0 + 1, w), reflect(y0, h), reflect(y0 + 1, h))
                    }
                    let i00 = ya * w + xa, i01 = ya * w + xb, i10 = yb * w + xa, i11 = yb * w + xb
                    let w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy
                    for c in 0..<bands {
                        let value = w00 * src.sample(channel: c, pixel: i00) + w01 * src.sample(channel: c, pixel: i01)
                            + w10 * src.sample(channel: c, pixel: i10) + w11 * src.sample(channel: c, pixel: i11)
                        output[c * plane + y * size + x] = value * unit
                    }
                    u += map.m00
                    v += map.m10
                }
            }
        }
    }

    /// The two 69×69 views (φ = 0° and 45°) of one image in `cutout`'s format as [bands, 69, 69]
    /// planes each. `halfSizeSource`: the anti-aliased mode samples a 2× pre-filtered decode
    /// instead of the full image (coordinates map as u_half = (u − 0.5)/2).
    public static func views(_ source: some SourceImage, _ transform: ViewTransform, cutout: CutoutFormat = .sdss,
                             halfSizeSource: Bool = false) -> (view0: [Float], view45: [Float]) {
        require(source.bands == cutout.bands, "AffineWarp.views: a \(source.bands)-band image for a model of \(cutout)")
        var v0 = [Float](repeating: 0, count: cutout.viewFloats), v45 = v0
        for (phi, index) in [(0.0, 0), (Double.pi / 4, 1)] {
            var map = transform.map(viewAngle: phi, sizeFactor: cutout.sizeFactor)
            if halfSizeSource { map = AffineMap(m00: 0.5, m01: 0, m10: 0, m11: 0.5, tx: -0.25, ty: -0.25).after(map) }
            if index == 0 { v0.withUnsafeMutableBufferPointer { warp(source, map, size: ViewTransform.viewSize, into: $0.baseAddress!) } }
            else { v45.withUnsafeMutableBufferPointer { warp(source, map, size: ViewTransform.viewSize, into: $0.baseAddress!) } }
        }
        return (v0, v45)
    }
}
