import Foundation
import Testing
import GalaxyImaging
import TestSupport

@Suite("Comparison with SExtractor's results")
struct SExtractorComparisonTests {
    func write(_ text: String) throws -> String {
        let path = TestSupport.temporaryFolder("sex") + "/sextractor.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func found(x: Double, y: Double, petrosian: Double) -> SourceExtraction {
        SourceExtraction(x: x, y: y, a: 10, b: 5, theta: 0, petrosianRadius: petrosian, scale: 1, detected: true)
    }

    /// Centres 1-based in SExtractor, apertures as a × petro_radius: errors and ratios in closed form.
    @Test func errorsAndRatiosInClosedForm() throws {
        let path = try write("GalaxyID,x,y,a,petro_radius\n1,11,21,10,2\n2,31,41,5,4\n3,0,0,1,1\n")
        // Ours: galaxy 1 exactly on (10, 20); galaxy 2 3-4-5 away; galaxy 3 not measured by us.
        let comparison = try SExtractorComparison([1: found(x: 10, y: 20, petrosian: 10), 2: found(x: 33, y: 44, petrosian: 11)], against: path)
        #expect(comparison.centreErrors == [0, 5])
        #expect(comparison.apertureRatios == [1, 1.1])   // 2·10 / (10·2), 2·11 / (5·4)
        #expect(comparison.text.contains("(2 galaxies)") && comparison.text.contains("centre within 2 px: 50.0%"), "\(comparison.text)")
        #expect(SExtractorComparison.quantiles([4, 1, 3, 2, 5]) == [1, 2, 3, 4, 5])
    }

    @Test func aMalformedRowIsNamedByLine() throws {
        let path = try write("GalaxyID,x,y,a,petro_radius\n1,11,21,10,2\n2,abc,41,5,4\n")
        let error = try #require(throws: ImageError.self) { try SExtractorComparison([1: found(x: 10, y: 20, petrosian: 10)], against: path) }
        #expect(error.description.contains("line 3"), "\(error)")
        let short = try write("GalaxyID,x,y,a,petro_radius\n1,11\n")
        #expect(throws: ImageError.self) { try SExtractorComparison([1: found(x: 10, y: 20, petrosian: 10)], against: short) }
        let other = try write("GalaxyID,x,y\n1,11,21\n")
        let missing = try #require(throws: ImageError.self) { try SExtractorComparison([:], against: other) }
        #expect(missing.description.contains("petro_radius"), "\(missing)")
    }

    @Test func noGalaxyInCommonIsAnError() throws {
        let path = try write("GalaxyID,x,y,a,petro_radius\n1,11,21,10,2\n")
        #expect(throws: ImageError.self) { try SExtractorComparison([7: found(x: 10, y: 20, petrosian: 10)], against: path) }
    }
}
