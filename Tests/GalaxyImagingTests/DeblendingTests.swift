import Foundation
import Testing
import GalaxyTensor
import GalaxyImaging

@Suite("Deblending")
struct DeblendingTests {
    /// A galaxy at the centre touching a bright neighbour: without deblending they are one
    /// detection whose centroid lies between them; deblended, the galaxy's centre is its own.
    @Test func aTouchingNeighbourNoLongerPullsTheCentre() {
        let w = 424, h = 424
        var g = SeededGenerator(seed: 4)
        var green = [Float](repeating: 0, count: w * h), model = green
        for y in 0..<h { for x in 0..<w {
            let galaxy = 120 * exp(-(pow(Double(x) - 211.5, 2) + pow(Double(y) - 211.5, 2) / 0.6) / (2 * 14 * 14))
            let star = 200 * exp(-(pow(Double(x) - 250, 2) + pow(Double(y) - 215, 2)) / (2 * 5 * 5))
            model[y * w + x] = Float(galaxy + star)
            green[y * w + x] = Float(20 + galaxy + star) + 2 * (g.nextUniform() - 0.5)
        } }
        let e = SourceExtractor.extract(green: green, width: w, height: h)
        #expect(abs(e.x - 211.5) < 1 && abs(e.y - 211.5) < 1, "centre (\(e.x), \(e.y))")
        // The two are one component at the detection threshold: deblending is what separates them.
        let level: Float = 5
        let component = (0..<(w * h)).filter { model[$0] > level }
        #expect(Deblender.connected(component, width: w).count == 1)
        #expect(Deblender.split(component, green: model, smooth: model, width: w, threshold: level).count == 2)
    }
}
