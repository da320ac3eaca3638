import Foundation
import GalaxyCore
import GalaxyZoo

/// The true morphology of a mock galaxy: what the renderer draws and what the simulated crowd
/// judges. Sizes are in pixels of the 424×424 frame, angles in radians.
public struct Morphology: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case smooth, disk, star, artifact }
    public enum OddFeature: Int, Sendable, Codable, CaseIterable {
        case ring = 0, lensOrArc, disturbed, irregular, other, merger, dustLane
    }
    public enum EdgeOnBulge: Int, Sendable, Codable { case rounded = 0, boxy, none }

    public var kind: Kind
    /// Galaxy centre offset from the frame centre (211.5, 211.5).
    public var offsetX: Float, offsetY: Float
    /// Half-light radius of the whole galaxy.
    public var halfLightRadius: Float
    /// Peak surface brightness relative to the sky noise (sets how visible faint features are).
    public var brightness: Float
    public var positionAngle: Float
    /// Smooth galaxies: intrinsic axis ratio; disks: cos(inclination) (1 face-on, ~0.1 edge-on).
    public var axisRatio: Float
    public var sersicIndex: Float
    /// Disks: bulge prominence 0 none, 1 just noticeable, 2 obvious, 3 dominant.
    public var bulgeClass: Int
    public var edgeOnBulge: EdgeOnBulge
    public var bar: Bool
    public var barStrength: Float
    public var spiral: Bool
    /// Number of arms (1…6; 5 and 6 count as "more than four").
    public var armCount: Int
    /// 0 tight, 1 medium, 2 loose.
    public var tightness: Int
    public var armStrength: Float
    public var oddFeature: OddFeature?
    public var oddStrength: Float
    /// Foreground stars and background neighbours (environment, no effect on the answers).
    public var starCount: Int
    public var neighbourCount: Int
    /// Redness of the old population (0 blue … 1 red).
    public var colour: Float

    /// True if a disk is seen close to edge-on.
    public var isEdgeOn: Bool { kind == .disk && axisRatio < 0.3 }
}

/// The morphology prior: draws galaxies covering every answer of the tree, with sizes and
/// brightnesses spread like the real SDSS set (half-light radii ~15–70 px, median ~34).
public enum MorphologyPrior {
    public static func draw(_ g: inout SeededGenerator) -> Morphology {
        func uniform(_ a: Float, _ b: Float) -> Float { a + (b - a) * g.nextUniform() }
        func chance(_ p: Float) -> Bool { g.nextUniform() < p }
        func pick(_ weights: [Float]) -> Int {
            var u = g.nextUniform() * weights.reduce(0, +)
            for (i, w) in weights.enumerated() { if u < w { return i }; u -= w }
            return weights.count - 1
        }
        let kindIndex = pick([0.42, 0.53, 0.03, 0.02])
        let kind: Morphology.Kind = [.smooth, .disk, .star, .artifact][kindIndex]
        // Log-normal sizes around the real median half-light radius (~34 px).
        let size = min(70, max(10, 26 * exp(0.35 * g.nextNormal())))
        var m = Morphology(
            kind: kind, offsetX: uniform(-3, 3), offsetY: uniform(-3, 3), halfLightRadius: size,
            brightness: exp(uniform(log(3), log(30))),
            positionAngle: uniform(0, .pi), axisRatio: 1, sersicIndex: 4, bulgeClass: 0, edgeOnBulge: .none,
            bar: false, barStrength: 0, spiral: false, armCount: 2, tightness: 1, armStrength: 0,
            oddFeature: nil, oddStrength: 0, starCount: pick([3, 4, 3, 2, 1]), neighbourCount: pick([3, 4, 3, 2]),
            colour: uniform(0.3, 1))
        switch kind {
        case .smooth:
            m.axisRatio = uniform(0.25, 1)
            m.sersicIndex = uniform(2.5, 5)
            m.colour = uniform(0.7, 1)
        case .disk:
            // Isotropic orientations: cos i uniform, floored by the disk's thickness.
            m.axisRatio = max(0.1, g.nextUniform())
            m.sersicIndex = uniform(0.8, 1.3)
            m.bulgeClass = pick([0.2, 0.35, 0.3, 0.15])
            m.colour = uniform(0.3, 0.8)
            if m.isEdgeOn {
                m.edgeOnBulge = Morphology.EdgeOnBulge(rawValue: pick([0.5, 0.15, 0.35]))!
            } else {
                m.bar = chance(0.3)
                m.barStrength = m.bar ? uniform(0.4, 1) : 0
                m.spiral = chance(0.65)
                if m.spiral {
                    m.armCount = 1 + pick([0.08, 0.5, 0.17, 0.12, 0.08, 0.05])
                    m.tightness = pick([0.35, 0.4, 0.25])
                    m.armStrength = uniform(0.25, 1)
                }
            }
        case .star, .artifact:
            m.halfLightRadius = uniform(3, 8)
            m.brightness = uniform(40, 200)
        }
        if kind == .smooth || kind == .disk, chance(0.22) {
            let weights: [Float] = m.isEdgeOn ? [0.05, 0.08, 0.25, 0.1, 0.12, 0.2, 0.4] : [0.22, 0.08, 0.22, 0.14, 0.1, 0.24, 0.0]
            m.oddFeature = Morphology.OddFeature(rawValue: pick(weights))
            m.oddStrength = uniform(0.3, 1)
        }
        return m
    }
}

