import Foundation
import Testing
import TestSupport
import GalaxyTensor
import GalaxyImaging
import GalaxyFITS

/// A failed measurement is an explicit, reported fallback, and a sky-subtracted cutout finds
/// the galaxy where it is (hardening 2, class 4).
@Suite("Source extraction fallbacks")
struct ExtractionFallbackTests {
    @Test func aFallbackSaysWhy() {
        let found = SourceExtraction(x: 200, y: 210, a: 20, b: 10, theta: 0, petrosianRadius: 30, scale: 1.3, detected: true)
        var noRadius = found
        noRadius.petrosianRadius = .nan
        let nothing = SourceExtraction.undetected(width: 424, height: 424)
        #expect(found.fallback == nil)
        #expect(noRadius.fallback?.contains("Petrosian") == true && nothing.fallback?.contains("no source detected") == true)
        #expect(SourceExtraction.fallbackReport([found, found], names: ["1", "2"]) == nil)
        let report = SourceExtraction.fallbackReport([found, noRadius, nothing, noRadius], names: ["1", "2", "3", "4"])
        #expect(report?.hasPrefix("3 of 4 source extractions fell back") == true, "\(report ?? "nil")")
        #expect(report?.contains("(2: 2, 4)") == true && report?.contains("(1: 3)") == true, "\(report ?? "nil")")
    }

    /// A large SDSS galaxy whose Petrosian ratio never falls to η on the 8-bit image: as
    /// SExtractor, whose search ends at 5.28 A (its PETRO_RADIUS for this galaxy), the rescale
    /// takes that aperture instead of scale 1, and says so.
    @Test func withoutAPetrosianRadiusTheScaleIsSExtractorsSearchLimit() throws {
        let found = SourceExtractor.extract(try JPEG.read(TestSupport.sharedData("sdss-dev/images/288717.jpg")))
        #expect(found.detected && found.petrosianRadius.isNaN)
        #expect(found.fallback?.contains("SExtractor's search limit") == true, "\(found.fallback ?? "nil")")
        #expect(abs(found.scale - min(1.5, max(1 / 1.5, 160 / (5.28 * found.a)))) < 1e-12)
        // SExtractor: a = 23.844, PETRO_RADIUS = 5.28, so its scale is 160 / 125.9 = 1.271.
        #expect(abs(found.scale / 1.271 - 1) < 0.03, "scale \(found.scale)")
    }

    /// A galaxy 30 px right of and 20 px above the cutout's centre on zero-mean sky noise (a
    /// sky-subtracted survey cutout). With the black level 2σ below its sky the galaxy is found
    /// where it is; with the default black level (0) half the noise clips to black, which pulls
    /// the centre about 2.5 px towards the cutout's centre.
    @Test func aSkySubtractedCutoutFindsTheGalaxyWhereItIs() throws {
        let size = 200, cx = 99.5 + 30, cy = 99.5 - 20   // image rows top first
        var g = SeededGenerator(seed: 12)
        var plane = [Float](repeating: 0, count: size * size)
        for y in 0..<size {
            for x in 0..<size {
                let dx = Double(x) - cx, dy = Double(y) - cy
                let r = ((dx * dx + (dy / 0.7) * (dy / 0.7))).squareRoot()
                plane[y * size + x] = Float(4 * exp(-r / 8)) + 0.05 * g.nextNormal()
            }
        }
        let path = TestSupport.temporaryFolder("sky-subtracted") + "/cutout.fits"
        try writeCutout([plane], width: size, height: size, scale: 0.396, to: path)
        // The 200-px cutout sits in the middle of the 424-px canvas at the same scale.
        let expectedX = 211.5 + 30, expectedY = 211.5 - 20
        var options = FITSOptions()
        options.blackBelowSky = 2
        let found = SourceExtractor.extract(try FITSCutout.read(path, options: options))
        #expect(found.detected && found.fallback == nil, "\(found)")
        #expect(abs(found.x - expectedX) < 1 && abs(found.y - expectedY) < 1, "found (\(found.x), \(found.y)), expected (\(expectedX), \(expectedY))")
        let clipped = SourceExtractor.extract(try FITSCutout.read(path))
        #expect(hypot(clipped.x - expectedX, clipped.y - expectedY) > 2, "the default black level clips the noise; if this holds no more, tighten the docs")
    }
}
