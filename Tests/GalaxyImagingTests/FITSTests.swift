import Foundation
import Testing
import TestSupport
import GalaxyTensor
import GalaxyImaging
import GalaxyFITS

/// Writes g, r, i planes (each height × width, image rows top first) as one FITS cube with FITS
/// rows bottom first and a CDELT pixel scale.
func writeCutout(_ bands: [[Float]], width: Int, height: Int, scale: Double?, to path: String) throws {
    let flipped = bands.map { plane in (0..<height).flatMap { row in plane[((height - 1 - row) * width)..<((height - row) * width)] } }
    let file = try FITSFile.create(path)
    try file.writeImage(shape: bands.count == 1 ? [width, height] : [width, height, 3], values: flipped.flatMap { $0 })
    if let scale { try file.setNumber("CDELT1", -scale / 3600); try file.setNumber("CDELT2", scale / 3600) }
    try file.close()
}

let fitsScratch = FileManager.default.temporaryDirectory.appendingPathComponent("galaxynet-fits-\(UUID().uuidString)").path

@Suite("FITS cutouts")
struct FITSTests {
    init() throws { try FileManager.default.createDirectory(atPath: fitsScratch, withIntermediateDirectories: true) }

    /// g, r, i fluxes that the stretch maps back to `image`'s colours (the stretch inverted).
    static func fluxes(of image: RGBImage, options: FITSOptions) -> [[Float]] {
        let planes = image.planes, n = image.width * image.height
        var bands = [[Float]](repeating: [Float](repeating: 0, count: n), count: 3)
        for p in 0..<n {
            let (r, g, b) = (planes[p], planes[n + p], planes[2 * n + p])
            let mean = (r + g + b) / 3
            guard mean > 0 else { continue }
            let intensity = options.stretch * sinhf(options.q * mean) / options.q  // f(I) = mean
            (bands[0][p], bands[1][p], bands[2][p]) = (b * intensity / mean, g * intensity / mean, r * intensity / mean)
        }
        return bands
    }

    @Test func aCutoutMadeFromAKnownImageGivesItsViewsAndParts() throws {
        let jpeg = try JPEG.read(sharedData("sdss-dev/images/113823.jpg"))
        let options = FITSOptions(), path = fitsScratch + "/known.fits"
        try writeCutout(Self.fluxes(of: jpeg, options: options), width: 424, height: 424, scale: FITSOptions.trainingPixelScale, to: path)
        let cutout = try ImageSource.read(path)
        #expect(cutout.width == 424 && cutout.height == 424)
        let (a0, a45) = AffineWarp.views(jpeg, ViewTransform()), (b0, b45) = AffineWarp.views(cutout, ViewTransform())
        let worst = zip(a0 + a45, b0 + b45).map { abs($0 - $1) }.max()!
        // The parts are a gather of the views (GalaxyNetworkTests), so they agree as closely.
        #expect(worst < 1.0 / 255, "views differ by \(worst)")
    }

    /// An elliptical galaxy of known position angle, `sigma` arcseconds along its major axis, on
    /// a cutout of `size` pixels at `scale` arcseconds per pixel.
    static func ellipse(size: Int, scale: Double, sigma: Double = 3.144, ratio: Double = 0.4, degrees: Double = 30) -> [Float] {
        let angle = degrees * Double.pi / 180, s = sigma / scale, c = Double(size - 1) / 2
        var plane = [Float](repeating: 0, count: size * size)
        for row in 0..<size { for x in 0..<size {
            // Sky coordinates with y up; the position angle is counter-clockwise from +x on the sky.
            let dx = Double(x) - c, dy = c - Double(row)
            let u = dx * cos(angle) + dy * sin(angle), v = -dx * sin(angle) + dy * cos(angle)
            plane[row * size + x] = Float(3 * exp(-(u * u) / (2 * s * s) - (v * v) / (2 * s * s * ratio * ratio)))
        } }
        return plane
    }

    /// The same galaxy cut out at the Legacy Surveys' 0.262″/pixel and at the training 0.396″/pixel
    /// reads the same: right way up, same size, same shape.
    @Test func orientationAndPixelScaleAreHandled() throws {
        let legacy = Self.ellipse(size: 300, scale: 0.262), sdss = Self.ellipse(size: 424, scale: 0.396)
        try writeCutout([legacy, legacy, legacy], width: 300, height: 300, scale: 0.262, to: fitsScratch + "/legacy.fits")
        try writeCutout([sdss, sdss, sdss], width: 424, height: 424, scale: 0.396, to: fitsScratch + "/sdss.fits")
        let e = SourceExtractor.extract(try FITSCutout.read(fitsScratch + "/legacy.fits"))
        let reference = SourceExtractor.extract(try FITSCutout.read(fitsScratch + "/sdss.fits"))
        #expect(abs(e.x - 211.5) < 1 && abs(e.y - 211.5) < 1, "centre (\(e.x), \(e.y))")
        // Image rows go down, so the angle from +x towards +y is −30°.
        #expect(abs(e.theta + 30) < 2 && abs(reference.theta + 30) < 2, "theta \(e.theta), \(reference.theta)")
        #expect(abs(e.a / reference.a - 1) < 0.03 && abs(e.b / reference.b - 1) < 0.03, "a, b \(e.a), \(e.b) against \(reference.a), \(reference.b)")
        #expect(abs(e.petrosianRadius / reference.petrosianRadius - 1) < 0.05)
    }

    @Test func threeBandFilesASingleGreyBandAndBlankPixels() throws {
        var g = SeededGenerator(seed: 3)
        let bands = (0..<3).map { _ in (0..<(64 * 64)).map { _ in g.nextUniform() } }
        for (band, plane) in zip(["g", "r", "i"], bands) {
            try writeCutout([plane], width: 64, height: 64, scale: 0.396, to: fitsScratch + "/three-\(band).fits")
        }
        try writeCutout(bands, width: 64, height: 64, scale: 0.396, to: fitsScratch + "/cube.fits")
        let three = try FITSCutout.read(fitsScratch + "/three-{band}.fits"), cube = try FITSCutout.read(fitsScratch + "/cube.fits")
        #expect(three == cube)
        var blank = bands[0]
        for i in 0..<200 { blank[i] = .nan }
        try writeCutout([blank], width: 64, height: 64, scale: 0.396, to: fitsScratch + "/grey.fits")
        let grey = try FITSCutout.read(fitsScratch + "/grey.fits"), n = 424 * 424
        #expect(grey.planes.allSatisfy { $0.isFinite })
        #expect((0..<n).allSatisfy { grey.planes[$0] == grey.planes[n + $0] && grey.planes[$0] == grey.planes[2 * n + $0] })
    }

    @Test func aMissingPixelScaleIsNamed() throws {
        try writeCutout([[Float](repeating: 1, count: 16 * 16)], width: 16, height: 16, scale: nil, to: fitsScratch + "/noscale.fits")
        let error = try #require(throws: FITSError.self) { _ = try FITSCutout.read(fitsScratch + "/noscale.fits") }
        #expect(error.description.contains("noscale.fits") && error.description.contains("--pixel-scale"), "\(error)")
        var options = FITSOptions()
        options.pixelScale = 0.396
        #expect(try FITSCutout.read(fitsScratch + "/noscale.fits", options: options).width == 424)
    }
}

/// A file under ../shared/data.
func sharedData(_ relative: String) -> String { TestSupport.sharedData(relative) }

/// Single-band FITS cutouts for a model of one band, at its size and pixel scale.
@Suite("One-band FITS cutouts")
struct OneBandFITSTests {
    @Test func aOneBandCutoutReadsAsOneBandAtTheModelsScale() throws {
        try FileManager.default.createDirectory(atPath: fitsScratch, withIntermediateDirectories: true)
        var g = SeededGenerator(seed: 21)
        let band = (0..<(256 * 256)).map { _ in Float(g.nextUniform()) * 0.3 }
        let path = fitsScratch + "/one-band.fits"
        try writeCutout([band], width: 256, height: 256, scale: 0.262, to: path)
        let format = CutoutFormat(bands: 1, size: 256, pixelScale: 0.262)
        let one = try FITSCutout.read(path, cutout: format)
        #expect(one.bands == 1 && one.width == 256 && one.planes.count == 256 * 256)
        // At the file's own scale and size nothing is resampled: each pixel is the stretched band.
        let options = FITSOptions()
        let stretched = band.map { options.colour(g: $0, r: $0, i: $0).green }
        #expect(zip(one.planes, stretched).map { abs($0 - $1) }.max()! < 1e-6)
        // The same file in a colour model fills all three planes with it (grey).
        let colour = try FITSCutout.read(path, cutout: CutoutFormat(bands: 3, size: 256, pixelScale: 0.262))
        #expect(Array(colour.planes[(256 * 256)..<(2 * 256 * 256)]) == one.planes)

        let cube = fitsScratch + "/three-bands.fits"
        try writeCutout([band, band, band], width: 256, height: 256, scale: 0.262, to: cube)
        #expect(throws: FITSError(file: cube, reason: "3 bands (g, r, i) for a model of one band: give the one band's file")) {
            try ImageSource.read(cube, cutout: format)
        }
    }
}
