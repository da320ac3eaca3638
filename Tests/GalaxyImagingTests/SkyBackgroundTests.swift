import Foundation
import Testing
import TestSupport
import GalaxyTensor
import GalaxyImaging

@Suite("Sky background and agreement with SExtractor")
struct SkyBackgroundTests {
    /// A tilted sky plane with Gaussian noise: the spline through the mesh modes is the plane
    /// (a natural spline through collinear nodes is straight) and σ is the noise.
    @Test func aTiltedSkyIsReproduced() {
        let w = 300, h = 200
        var g = SeededGenerator(seed: 8)
        let plane = { (x: Int, y: Int) in 30 + 0.02 * Float(x) - 0.015 * Float(y) }
        var image = [Float](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w { image[y * w + x] = plane(x, y) + 2 * g.nextNormal() } }
        let (map, sigma) = SkyBackground.estimate(image, width: w, height: h, meshSize: 64)
        #expect(abs(sigma / 2 - 1) < 0.05, "σ \(sigma)")
        var worst: Float = 0
        for y in 0..<h { for x in 0..<w { worst = max(worst, abs(map[y * w + x] - plane(x, y))) } }
        #expect(worst < 0.35, "largest departure from the plane \(worst)")
    }

    /// Pure noise: the mode is the mean and σ the noise. A mesh a fifth covered by a source 50 σ
    /// bright: the ±3σ clipping cannot separate the two (σ stays inflated, as in SExtractor), but
    /// the crowded-mesh rule takes the median, within a third of σ of the sky where the mean is
    /// off by 10 σ; the 3×3 median filter over the grid deals with such meshes.
    @Test func meshStatisticsOfNoiseAndOfACrowdedMesh() {
        var g = SeededGenerator(seed: 9)
        let noise = (0..<4096).map { _ in 50 + 3 * g.nextNormal() }
        let clean = SkyBackground.meshStatistics(noise)
        #expect(abs(clean.background - 50) < 0.15 && abs(clean.sigma / 3 - 1) < 0.03, "\(clean)")
        let crowded = SkyBackground.meshStatistics(noise.enumerated().map { $0.offset % 5 == 0 ? $0.element + 150 : $0.element })
        #expect(abs(crowded.background - 50) < 1, "background \(crowded.background)")
    }

    /// Bin i holds values rounded to i, so it spans [i − ½, i + ½): ten counts in bin 3 have their
    /// median at 3, four equal bins 0…3 at 1.5.
    @Test func histogramMedianInterpolatesInsideTheMiddleBin() {
        #expect(SkyBackground.histogramMedian([0, 0, 0, 10, 0], from: 0, to: 4) == 3)
        #expect(SkyBackground.histogramMedian([5, 5, 5, 5], from: 0, to: 3) == 1.5)
    }

    /// Real SDSS images against SExtractor 2.25's own results for them (sdss-dev): the same
    /// galaxy, its centre within half a pixel and its Petrosian aperture within 15 %.
    @Test func realImagesAgreeWithSExtractor() throws {
        let folder = URL(fileURLWithPath: TestSupport.sharedData("sdss-dev"))
        let rows = try String(contentsOf: folder.appendingPathComponent("sextractor_params.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().prefix(24).map { $0.split(separator: ",") }
        var centred = 0, apertures = 0
        for row in rows {
            let image = try JPEG.read(folder.appendingPathComponent("images/\(row[0]).jpg").path)
            let found = SourceExtractor.extract(image)
            // SExtractor's pixel centres are 1-based; its petro_radius is in units of a.
            let error = hypot(found.x + 1 - Double(row[1])!, found.y + 1 - Double(row[2])!)
            if error < 0.5 { centred += 1 }
            if abs(found.petrosianAperture / (Double(row[6])! * Double(row[3])!) - 1) < 0.15 { apertures += 1 }
        }
        #expect(centred >= 23, "\(centred) of 24 centres within 0.5 px")
        #expect(apertures >= 20, "\(apertures) of 24 apertures within 15 %")
    }
}
