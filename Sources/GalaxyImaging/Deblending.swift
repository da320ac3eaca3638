import Foundation
import GalaxyCore

/// One object of a detected component: its pixels, and, for an object split off a blend, the
/// barycentre (weighted by the filtered image) of the core it was found as above the splitting
/// level. SExtractor measures a deblended object's centre on its core ("use previous
/// barycenters" in its analysis), not on all its pixels.
public struct DeblendedObject: Sendable {
    public var pixels: [Int]
    public var coreCentre: (x: Double, y: Double)?
}

/// Multi-threshold deblending as SExtractor (2.25, default configuration) does it: a detected
/// component is re-thresholded at `levels` levels spaced exponentially between the detection
/// threshold and its peak in the filtered image; where it splits into two or more branches whose
/// flux above that level (Σ filtered − level over the branch) is each at least `contrast` of the
/// component's filtered flux, the branches are separate objects (and each may split again
/// higher up). The pixels below the splits are shared out among the branches at random in
/// proportion to their Gaussian models (`assign`). With SExtractor's background and centring,
/// this reproduces its centres on the 256 real SDSS images (docs/catalogues.md).
public enum Deblender {
    static let levels = 32
    static let contrast = 0.005

    /// The objects of one component; their pixels partition `pixels`.
    public static func split(_ pixels: [Int], green: [Float], smooth: [Float], width w: Int, threshold: Float) -> [DeblendedObject] {
        let whole = [DeblendedObject(pixels: pixels, coreCentre: nil)]
        let peak = pixels.map { smooth[$0] }.max() ?? threshold
        guard peak > threshold * 1.01, pixels.count > 8 else { return whole }
        let total = pixels.reduce(0.0) { $0 + Double(smooth[$1]) }
        let thresholds = (1...levels).map { threshold * powf(peak / threshold, Float($0) / Float(levels)) }
        let cores = branches(pixels, from: 0, thresholds: thresholds, smooth: smooth, width: w, minimumFlux: contrast * total)
        guard cores.count > 1 else { return whole }
        return assign(pixels, to: cores, green: green, smooth: smooth, thresholds: thresholds, width: w)
    }

    /// The separate branches of `pixels` above thresholds[level...], or `pixels` itself.
    static func branches(_ pixels: [Int], from level: Int, thresholds: [Float], smooth: [Float], width w: Int,
                         minimumFlux: Double) -> [[Int]] {
        var current = pixels
        for i in level..<thresholds.count {
            let t = thresholds[i]
            let above = current.filter { smooth[$0] > t }
            let parts = connected(above, width: w).filter { part in part.reduce(0.0) { $0 + Double(smooth[$1] - t) } >= minimumFlux }
            if parts.isEmpty { break }
            if parts.count == 1 { current = parts[0]; continue }
            return parts.flatMap { branches($0, from: i + 1, thresholds: thresholds, smooth: smooth, width: w, minimumFlux: minimumFlux) }
        }
        return [pixels]
    }

    /// 8-connected groups of a pixel set.
    public static func connected(_ pixels: [Int], width w: Int) -> [[Int]] {
        var remaining = Set(pixels), groups: [[Int]] = []
        for start in pixels where remaining.contains(start) {
            var group: [Int] = [], stack = [start]
            remaining.remove(start)
            while let p = stack.popLast() {
                group.append(p)
                let x = p % w
                for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 {
                    guard x + dx >= 0, x + dx < w else { continue }
                    let q = p + dy * w + dx
                    if remaining.remove(q) != nil { stack.append(q) }
                } }
            }
            groups.append(group)
        }
        return groups
    }

    /// The pixels of the cores stay theirs; every other pixel of the component goes to a core
    /// drawn in proportion to the cores' Gaussian models there, as SExtractor's gather-up does
    /// (its draws come from `rand()`; ours from a generator seeded by the component, so a run is
    /// repeatable). A core's model, as SExtractor makes it: centroid and covariance weighted by
    /// the filtered values, the area correction `abcor` (1 for a Gaussian profile), and the peak
    /// a Gaussian of that shape needs to cover the core's area above its level,
    /// level · exp(area / (2π·a·b·abcor)), at most 4 × the core's filtered peak.
    static func assign(_ pixels: [Int], to cores: [[Int]], green: [Float], smooth: [Float], thresholds: [Float], width w: Int) -> [DeblendedObject] {
        struct Model { var amplitude, x, y, cxx, cyy, cxy, abcor: Double }
        let models: [Model] = cores.map { core in
            var m = SourceExtractor.Moments(), floor = Float.infinity, peak = -Float.infinity, rawPeak = -Float.infinity
            for p in core {
                m.add(x: Double(p % w), y: Double(p / w), flux: Double(max(smooth[p], 0)))
                floor = min(floor, smooth[p]); peak = max(peak, smooth[p]); rawPeak = max(rawPeak, green[p])
            }
            let level = thresholds.last { $0 < floor } ?? floor
            let (x, y, ixx, iyy, ixy) = m.centreAndCovariance
            let det = max(ixx * iyy - ixy * ixy, 1e-6), ab = det.squareRoot()
            // The area between the level and halfway to the peak, against a Gaussian's.
            let half = (level + rawPeak) / 2
            let above = core.filter { green[$0] > level }.count, aboveHalf = core.filter { green[$0] > half }.count
            let ratio = Double(level / half)
            let difference = Double(aboveHalf - above)
            let abcor = ratio > 0 ? min(1, (difference < 0 ? difference : -1) / (2 * .pi * log(min(ratio, 0.99)) * ab)) : 1
            let exponent = Double(core.count) / (2 * .pi * abcor * ab)
            let amplitude = exponent < 70 ? min(Double(level) * exp(exponent), 4 * Double(peak)) : 4 * Double(peak)
            return Model(amplitude: amplitude, x: x, y: y, cxx: iyy / det, cyy: ixx / det, cxy: -2 * ixy / det, abcor: abcor)
        }
        var objects = cores
        var owned = Set<Int>()
        for core in cores { owned.formUnion(core) }
        var generator = SeededGenerator(seed: UInt64(pixels.count), stream: UInt64(pixels.min() ?? 0))
        var cumulative = [Double](repeating: 0, count: models.count)
        for p in pixels where !owned.contains(p) {
            let x = Double(p % w), y = Double(p / w)
            var total = 0.0, nearest = 0, nearestDistance = Double.infinity
            for (k, m) in models.enumerated() {
                let dx = x - m.x, dy = y - m.y
                let distance = 0.5 * (m.cxx * dx * dx + m.cyy * dy * dy + m.cxy * dx * dy) / m.abcor
                total += distance < 70 ? m.amplitude * exp(-distance) : 0
                cumulative[k] = total
                if distance < nearestDistance { nearestDistance = distance; nearest = k }
            }
            var chosen = nearest
            if total > 1e-31 {
                let draw = total * Double.random(in: 0..<1, using: &generator)
                chosen = cumulative.firstIndex { $0 >= draw } ?? nearest
            }
            objects[chosen].append(p)
        }
        return zip(objects, models).map { DeblendedObject(pixels: $0, coreCentre: ($1.x, $1.y)) }
    }
}
