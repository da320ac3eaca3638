import Foundation
import GalaxyFITS
import GalaxyCore

/// How FITS cutouts become what the network was trained on (by default SDSS colour images at
/// 0.396″/pixel, 424×424; in general the model's `CutoutFormat`), with g, r, i shown as blue, green, red through the asinh stretch of Lupton et al.
/// (2004) in the form of astropy's `make_lupton_rgb`: with I = (i + r + g)/3 after subtracting
/// `minimum`, every band is multiplied by asinh(Q·I/stretch)/(Q·I), then clipped to [0, 1].
public struct FITSOptions: Sendable, Equatable, Codable {
    /// Softening parameter Q of the asinh stretch.
    public var q: Float = 8
    /// The linear stretch β: fluxes well below it are shown linearly.
    public var stretch: Float = 0.5
    /// Flux subtracted first (the sky level, if the cutout still has it).
    public var minimum: Float = 0
    /// Multipliers of the g, r and i fluxes before the stretch (to balance the colours of another survey).
    public var bandScales: [Float] = [1, 1, 1]
    /// The file's pixel scale in arcseconds; nil reads it from the WCS keywords (CD1_1/CD2_1 or CDELT1).
    public var pixelScale: Double?
    /// For sky-subtracted cutouts (zero-mean noise): when set, the black level is this many noise
    /// σ below each cutout's own sky (the median and MAD of the band mean) instead of `minimum`.
    /// Noise clipped at black pulls the source extraction towards the cutout's centre and hides
    /// the Petrosian radius. nil: `minimum` as given.
    public var blackBelowSky: Float?

    /// The training images' pixel scale (SDSS), arcseconds per pixel.
    public static let trainingPixelScale = 0.396
    /// Pixel scales a galaxy cutout can have, arcseconds: from HST/JWST (0.03″) to WISE (2.75″),
    /// with room either side; outside it a header or a flag is wrong (a unit mistaken, a typo).
    public static let plausiblePixelScales = 0.01...30.0

    public init() {}

    /// The median of the scaled band mean over the cutout's valid pixels, less `k` noise σ
    /// (1.4826 × the median absolute deviation: robust to the galaxy itself).
    func skyLevel(_ bands: [[Float]], sigmasBelow k: Float) -> Float {
        var mean: [Float] = []
        mean.reserveCapacity(bands[0].count)
        for p in bands[0].indices {
            let v = (bands[0][p] * bandScales[0] + bands[1][p] * bandScales[1] + bands[2][p] * bandScales[2]) / 3
            if v.isFinite { mean.append(v) }
        }
        guard !mean.isEmpty else { return minimum }
        let m = SkyBackground.median(mean)
        return m - k * 1.4826 * SkyBackground.median(mean.map { abs($0 - m) })
    }

    /// Stretches g, r, i fluxes into the R, G, B planes.
    public func colour(g: Float, r: Float, i: Float) -> (red: Float, green: Float, blue: Float) {
        let bands = [g * bandScales[0] - minimum, r * bandScales[1] - minimum, i * bandScales[2] - minimum]
        let intensity = (bands[0] + bands[1] + bands[2]) / 3
        guard intensity > 0, intensity.isFinite else { return (0, 0, 0) }
        let factor = asinhf(q * intensity / stretch) / (q * intensity)
        func clip(_ v: Float) -> Float { min(max(v * factor, 0), 1) }
        return (clip(bands[2]), clip(bands[1]), clip(bands[0]))
    }
}

/// FITS cutouts as source images: one file with 3 planes (g, r, i), one single-band file (shown
/// grey), or three single-band files named by a `{band}` placeholder (`cutout-{band}.fits`).
public enum FITSCutout {
    /// The path of one band of a `{band}` pattern.
    public static func path(_ pattern: String, band: String) -> String { pattern.replacingOccurrences(of: "{band}", with: band) }

    /// Reads a cutout and renders it as the network's input in `cutout`'s format: resampled about
    /// its centre to that pixel scale on a canvas of that size (image rows top first; blank or NaN
    /// pixels and pixels beyond the cutout are empty sky), then stretched: in colour (3 bands), or
    /// for a one-band model the file's one band through the same asinh with I = flux − minimum
    /// (band scales are colour balance and do not apply).
    public static func read(_ path: String, options: FITSOptions = FITSOptions(), cutout: CutoutFormat = .sdss, halfSize: Bool = false) throws -> PlanarImage {
        var (bands, width, height, scale) = try readBands(path, options: options)
        var options = options
        if cutout.bands == 1 {
            guard bands.count == 1 else { throw FITSError(file: path, reason: "3 bands (g, r, i) for a model of one band: give the one band's file") }
            options.bandScales = [1, 1, 1]
        }
        // A single band shown in colour fills all three (grey).
        if bands.count == 1 && cutout.bands == 3 { bands = Array(repeating: bands[0], count: 3) }
        if let k = options.blackBelowSky { options.minimum = options.skyLevel(bands.count == 1 ? [bands[0], bands[0], bands[0]] : bands, sigmasBelow: k) }
        let size = cutout.size, centre = cutout.centre
        let step = cutout.pixelScale / scale  // source pixels per output pixel
        let sourceCentreX = Double(width - 1) / 2, sourceCentreY = Double(height - 1) / 2
        var planes = [Float](repeating: 0, count: cutout.bands * size * size)
        let n = size * size
        for y in 0..<size {
            // Output row y (top first) is FITS row height − 1 − sy (FITS rows are bottom first).
            let sy = sourceCentreY + (Double(y) - centre) * step
            for x in 0..<size {
                let sx = sourceCentreX + (Double(x) - centre) * step
                let flux = bands.map { sample($0, width: width, height: height, x: sx, y: Double(height - 1) - sy) }
                if cutout.bands == 1 {
                    planes[y * size + x] = options.colour(g: flux[0], r: flux[0], i: flux[0]).green
                    continue
                }
                let (r, g, b) = options.colour(g: flux[0], r: flux[1], i: flux[2])
                planes[y * size + x] = r
                planes[n + y * size + x] = g
                planes[2 * n + y * size + x] = b
            }
        }
        let image = PlanarImage(width: size, height: size, bands: cutout.bands, planes: planes)
        return halfSize ? image.halved() : image
    }

    /// The g, r, i planes in FITS order (or the file's one band) and the pixel scale.
    static func readBands(_ path: String, options: FITSOptions) throws -> (bands: [[Float]], width: Int, height: Int, scale: Double) {
        if path.contains("{band}") {
            let single = try ["g", "r", "i"].map { try readBands(self.path(path, band: $0), options: options) }
            guard Set(single.map { [$0.width, $0.height] }).count == 1 else {
                throw FITSError(file: path, reason: "the g, r and i files differ in size")
            }
            let scales = single.map(\.scale)
            guard scales.allSatisfy({ abs($0 / scales[0] - 1) <= 0.01 }) else {
                throw FITSError(file: path, reason: "the g, r and i files have different pixel scales ("
                                + scales.map { String(format: "%.4g″", $0) }.joined(separator: ", ") + "); resample them to one scale first")
            }
            guard single.allSatisfy({ $0.bands.count == 1 }) else { throw FITSError(file: path, reason: "a {band} file holds more than one band") }
            return (single.map { $0.bands[0] }, single[0].width, single[0].height, single[0].scale)
        }
        let file = try FITSFile.open(path)
        var hdu = 1
        while try file.move(to: hdu) != .image || (try file.imageShape()).isEmpty {
            hdu += 1
            guard hdu <= (try file.hduCount) else { throw FITSError(file: path, reason: "no image HDU") }
        }
        let (shape, values) = try file.readImage()
        guard shape.count >= 2, shape[0] > 1, shape[1] > 1 else { throw FITSError(file: path, reason: "the image has shape \(shape); expected a 2-D cutout") }
        let width = shape[0], height = shape[1], planes = shape.count > 2 ? shape[2] : 1
        guard planes == 1 || planes == 3, shape.dropFirst(3).allSatisfy({ $0 == 1 }) else {
            throw FITSError(file: path, reason: "the image has \(planes) planes; expected 1 (one band) or 3 (g, r, i)")
        }
        let plane = width * height
        let bands = planes == 3 ? (0..<3).map { Array(values[($0 * plane)..<(($0 + 1) * plane)]) } : [values]
        guard bands.contains(where: { $0.contains { !$0.isNaN } }) else {
            throw FITSError(file: path, reason: "no valid pixels: every pixel is blank or NaN")
        }
        guard let scale = try options.pixelScale ?? pixelScale(file, path: path) else {
            throw FITSError(file: path, reason: "no pixel scale in the header (CD1_1/CD2_1 or CDELT1); give it with --pixel-scale")
        }
        guard FITSOptions.plausiblePixelScales.contains(scale) else {
            throw FITSError(file: path, reason: String(format: "a pixel scale of %.4g″ ", scale) + (options.pixelScale == nil ? "(from the header)" : "(--pixel-scale)")
                            + " is not plausible for a galaxy cutout (0.01″ to 30″ per pixel); check the WCS keywords and CUNIT1/2, or give --pixel-scale")
        }
        return (bands, width, height, scale)
    }

    /// Arcseconds per pixel from the WCS keywords of the current HDU (the CD matrix, else CDELT),
    /// in the axes' units (CUNIT1/2; degrees when absent, as the FITS standard says). Pixels that
    /// are not square are refused: one scale cannot resample them.
    static func pixelScale(_ file: FITSFile, path: String) throws -> Double? {
        let u1 = try arcseconds(per: file.text("CUNIT1"), keyword: "CUNIT1", path: path)
        let u2 = try arcseconds(per: file.text("CUNIT2"), keyword: "CUNIT2", path: path)
        let x: Double, y: Double?
        if let cd11 = file.number("CD1_1") {
            x = hypot(cd11 * u1, (file.number("CD2_1") ?? 0) * u2)
            y = file.number("CD2_2").map { hypot((file.number("CD1_2") ?? 0) * u1, $0 * u2) }
        } else if let cdelt1 = file.number("CDELT1") {
            x = abs(cdelt1 * u1)
            y = file.number("CDELT2").map { abs($0 * u2) }
        } else {
            return nil
        }
        if let y, x > 0, abs(y / x - 1) > 0.01 {
            throw FITSError(file: path, reason: String(format: "the pixels are not square (%.4g″ × %.4g″); resample the cutout to square pixels first", x, y))
        }
        return x
    }

    /// Arcseconds in one unit of a WCS axis (CUNITn), degrees when the keyword is absent.
    static func arcseconds(per unit: String?, keyword: String, path: String) throws -> Double {
        switch unit?.lowercased() ?? "deg" {
        case "deg", "": return 3600
        case "arcmin": return 60
        case "arcsec": return 1
        case "mas": return 0.001
        case let other: throw FITSError(file: path, reason: "\(keyword) = '\(other)' is not an angle unit (deg, arcmin, arcsec or mas)")
        }
    }

    /// Bilinear sample at (x, y) in FITS pixel coordinates; outside the cutout and NaN count as 0.
    @inline(__always) static func sample(_ plane: [Float], width: Int, height: Int, x: Double, y: Double) -> Float {
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
        let fx = Float(x - Double(x0)), fy = Float(y - Double(y0))
        func at(_ i: Int, _ j: Int) -> Float {
            guard i >= 0, i < width, j >= 0, j < height else { return 0 }
            let v = plane[j * width + i]
            return v.isNaN ? 0 : v
        }
        return (1 - fx) * (1 - fy) * at(x0, y0) + fx * (1 - fy) * at(x0 + 1, y0) + (1 - fx) * fy * at(x0, y0 + 1) + fx * fy * at(x0 + 1, y0 + 1)
    }
}

extension PlanarImage {
    /// The 2× box-filtered image (the anti-aliased mode samples it).
    func halved() -> PlanarImage {
        let w = width / 2, h = height / 2, n = width * height
        var out = [Float](repeating: 0, count: bands * w * h)
        for c in 0..<bands { for y in 0..<h { for x in 0..<w {
            let p = c * n + 2 * y * width + 2 * x
            out[c * w * h + y * w + x] = (planes[p] + planes[p + 1] + planes[p + width] + planes[p + width + 1]) / 4
        } } }
        return PlanarImage(width: w, height: h, bands: bands, planes: out)
    }
}

extension ImageFormat {
    /// FITS cutouts (`.fits`, `.fit`, `.fits.gz`; a `{band}` pattern for three files).
    public static func fits(_ options: FITSOptions = FITSOptions()) -> ImageFormat {
        ImageFormat(name: "FITS", extensions: ["fits", "fit", "fts", "gz"]) { path, halfSize, cutout in
            try FITSCutout.read(path, options: options, cutout: cutout, halfSize: halfSize)
        }
    }
}
