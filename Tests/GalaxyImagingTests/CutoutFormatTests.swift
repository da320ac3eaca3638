import Foundation
import Testing
import TestSupport
import GalaxyCore
import GalaxyImaging

/// Cutout formats: one band, other sizes and pixel scales, read and warped as the SDSS ones are.
@Suite("Cutout formats")
struct CutoutFormatTests {
    @Test func theSDSSFormatIsTheOriginalGeometry() {
        let sdss = CutoutFormat.sdss
        #expect(sdss.centre == ViewTransform.imageCentre && sdss.sizeFactor == 1 && sdss.viewFloats == 3 * 69 * 69)
        #expect(sdss.problem == nil && sdss.isColour)
        #expect(CutoutFormat(bands: 2).problem?.contains("2 bands") == true)
        #expect(CutoutFormat(size: 64).problem?.contains("64 pixels") == true)
        #expect(CutoutFormat(pixelScale: 400).problem?.contains("not plausible") == true)
        #expect(CutoutFormat(bands: 1, size: 256, pixelScale: 0.262).description == "1 band, 256×256 px at 0.262″/px")
    }

    /// A grey JPEG decodes as one band; each decoder refuses the other kind with a reason.
    @Test func greyJPEGsAreOneBandAndKindsAreNotMixed() throws {
        var g = SeededGenerator(seed: 4)
        let colour = RGBImage(width: 48, height: 40, pixels: (0..<(48 * 40 * 3)).map { _ in UInt8(g.next() % 256) })
        let grey = try JPEG.decodeGrey(JPEG.encode(colour, quality: 95, greyscale: true), file: "g.jpg")
        #expect(grey.width == 48 && grey.height == 40 && grey.bands == 1 && grey.pixels.count == 48 * 40)
        // The encoder stores the luminance Y = 0.299 R + 0.587 G + 0.114 B (JPEG's, to its quantisation).
        let p = colour.pixels.map(Double.init)
        let y: [Double] = (0..<(48 * 40)).map { i in
            let r: Double = 0.299 * p[3 * i], g: Double = 0.587 * p[3 * i + 1], b: Double = 0.114 * p[3 * i + 2]
            return r + g + b
        }
        var total = 0.0
        for (a, b) in zip(grey.pixels, y) { total += abs(Double(a) - b) }
        let error = total / Double(y.count)
        #expect(error < 6, "mean |grey − luminance| \(error)")
        #expect(throws: ImageError(file: "g.jpg", reason: "grey-scale JPEG; a colour (RGB) image is required (a one-band model reads grey-scale images)")) {
            try JPEG.decode(JPEG.encode(colour, greyscale: true), file: "g.jpg")
        }
        do { _ = try JPEG.decodeGrey(JPEG.encode(colour), file: "c.jpg"); Issue.record("a colour JPEG read as one band") } catch let e as ImageError {
            #expect(e.file == "c.jpg" && e.reason.hasPrefix("colour JPEG; this model reads one band"))
        }
        #expect(try JPEG.decodeForDisplay(JPEG.encode(colour, quality: 95, greyscale: true)) == grey.displayImage)
    }

    /// One band warps exactly as each channel of a colour image whose channels all hold it.
    @Test func oneBandWarpsAsAColourChannel() {
        var g = SeededGenerator(seed: 9)
        let grey = GreyImage(width: 424, height: 424, pixels: (0..<(424 * 424)).map { _ in UInt8(g.next() % 256) })
        let colour = RGBImage(width: 424, height: 424, pixels: grey.pixels.flatMap { [$0, $0, $0] })
        let transform = ViewTransform(rotation: 0.7, translationX: 2.5, translationY: -1, zoom: 1.2, flip: true)
        let one = AffineWarp.views(grey, transform, cutout: CutoutFormat(bands: 1))
        let three = AffineWarp.views(colour, transform)
        #expect(one.view0.count == 69 * 69 && one.view0 == Array(three.view0.prefix(69 * 69)) && one.view45 == Array(three.view45.suffix(69 * 69)))
        var planes = one.view0
        Augmentation.shiftColour(&planes, by: 2, bands: 1)
        #expect(planes == one.view0, "one band has no colour to shift")
    }

    /// The views cover the same share of a cutout at any size: a linear ramp over the sky gives the
    /// same views from 424 and 212 pixels (bilinear sampling reproduces a ramp exactly).
    @Test func viewsCoverTheSameShareAtAnySize() {
        func ramp(_ size: Int) -> PlanarImage {
            let c = Double(size - 1) / 2, k = Double(size) / 424
            let plane = (0..<(size * size)).map { i in Float(0.5 + 0.0011 * (Double(i % size) - c) / k - 0.0007 * (Double(i / size) - c) / k) }
            return PlanarImage(width: size, height: size, bands: 1, planes: plane)
        }
        let small = CutoutFormat(bands: 1, size: 212, pixelScale: 0.792)
        let transform = ViewTransform(rotation: 1.1, translationX: 3, translationY: 1.5, zoom: 0.9)
        var moved = transform
        (moved.centreX, moved.centreY) = (small.centre, small.centre)
        let a = AffineWarp.views(ramp(424), transform, cutout: CutoutFormat(bands: 1)), b = AffineWarp.views(ramp(212), moved, cutout: small)
        #expect(zip(a.view0 + a.view45, b.view0 + b.view45).map { abs($0 - $1) }.max()! < 1e-5)
    }
}
