import Foundation
import GalaxyImaging
import GalaxyCore
import GalaxyZoo

/// Renders a mock SDSS colour cutout (424×424) of a `Morphology`: Sérsic bulges and ellipticals,
/// exponential disks seen at their inclination, logarithmic spiral arms, bars, rings, arcs, dust
/// lanes, tidal debris, clumps and companions; foreground stars (the bright ones with diffraction
/// spikes) and background neighbours; PSF blur, sky noise, an asinh colour stretch like SDSS's.
/// Fluxes are in units of the sky noise; colours are (R, G, B) weights (red bulges, blue arms).
public struct GalaxyRenderer {
    public static let size = 424
    static let centre: Float = 211.5

    typealias Colour = (r: Float, g: Float, b: Float)
    static let blue: Colour = (0.4, 0.6, 1.15)
    static func oldPopulation(_ redness: Float) -> Colour { (1.2, 0.8 + 0.1 * (1 - redness), 0.42 + 0.35 * (1 - redness)) }

    /// Three planes of flux, [3][size][size].
    var flux = [Float](repeating: 0, count: 3 * size * size)

    public init() {}

    /// The rendered image (8-bit RGB) for a galaxy; all randomness comes from `g`.
    public static func render(_ m: Morphology, generator g: inout SeededGenerator) -> RGBImage {
        var r = GalaxyRenderer()
        r.draw(m, &g)
        // The PSF blurs the main galaxy's region; stars and neighbours are drawn PSF-shaped after.
        let reach = Int(min(212, 4 * m.halfLightRadius + 12))
        let cx = Int(centre + m.offsetX), cy = Int(centre + m.offsetY)
        r.blur(sigma: 1.2, columns: max(0, cx - reach)..<min(size, cx + reach), rows: max(0, cy - reach)..<min(size, cy + reach))
        for _ in 0..<m.neighbourCount { r.addNeighbour(&g) }
        for _ in 0..<m.starCount { r.addForegroundStar(&g) }
        return r.stretched(&g)
    }

    // MARK: Components

    /// Adds an elliptical radial profile: `profile(r)` at elliptical radius r (major-axis units).
    mutating func addProfile(x cx: Float, y cy: Float, angle: Float, axisRatio q: Float, extent: Float,
                             colour: Colour, profile: (Float) -> Float,
                             modulation: ((_ u: Float, _ v: Float, _ r: Float) -> Float)? = nil) {
        // Tabulate the profile once: per-pixel exp/pow would dominate the cost.
        let samples = 1024
        let step = extent / Float(samples - 1)
        let table = (0..<samples).map { profile(Float($0) * step) }
        let c = cos(angle), s = sin(angle)
        let n = Self.size
        let x0 = max(0, Int(cx - extent)), x1 = min(n - 1, Int(cx + extent) + 1)
        let y0 = max(0, Int(cy - extent)), y1 = min(n - 1, Int(cy + extent) + 1)
        guard x0 <= x1, y0 <= y1 else { return }
        flux.withUnsafeMutableBufferPointer { f in
            for y in y0...y1 {
                let dy = Float(y) - cy
                for x in x0...x1 {
                    let dx = Float(x) - cx
                    let u = dx * c + dy * s, v = (-dx * s + dy * c) / q
                    let r = (u * u + v * v).squareRoot()
                    guard r < extent else { continue }
                    let position = r / step
                    let i = Int(position), t = position - Float(i)
                    var value = i + 1 < samples ? table[i] * (1 - t) + table[i + 1] * t : table[samples - 1]
                    if let modulation { value *= modulation(u, v, r) }
                    let p = y * n + x
                    f[p] += value * colour.r
                    f[n * n + p] += value * colour.g
                    f[2 * n * n + p] += value * colour.b
                }
            }
        }
    }

    /// A round Gaussian blob (stars, clumps, knots), evaluated directly on its small box.
    mutating func addBlob(x cx: Float, y cy: Float, sigma: Float, peak: Float, colour: Colour) {
        let n = Self.size, extent = 3.5 * sigma
        let x0 = max(0, Int(cx - extent)), x1 = min(n - 1, Int(cx + extent) + 1)
        let y0 = max(0, Int(cy - extent)), y1 = min(n - 1, Int(cy + extent) + 1)
        guard x0 <= x1, y0 <= y1 else { return }
        let k = -1 / (2 * sigma * sigma)
        flux.withUnsafeMutableBufferPointer { f in
            for y in y0...y1 {
                let dy = Float(y) - cy
                for x in x0...x1 {
                    let dx = Float(x) - cx
                    let value = peak * exp((dx * dx + dy * dy) * k)
                    let p = y * n + x
                    f[p] += value * colour.r
                    f[n * n + p] += value * colour.g
                    f[2 * n * n + p] += value * colour.b
                }
            }
        }
    }

    static func sersic(_ n: Float) -> Float { 2 * n - 1 / 3 + 4 / (405 * n) }

    /// Sérsic profile with intensity `atHalfLight` at the half-light radius.
    static func sersicProfile(halfLight re: Float, index n: Float, atHalfLight ie: Float) -> (Float) -> Float {
        let b = sersic(n)
        return { r in ie * exp(-b * (pow(r / re, 1 / n) - 1)) }
    }

    // MARK: The galaxy

    mutating func draw(_ m: Morphology, _ g: inout SeededGenerator) {
        func uniform(_ a: Float, _ b: Float) -> Float { a + (b - a) * g.nextUniform() }
        let cx = Self.centre + m.offsetX, cy = Self.centre + m.offsetY
        let re = m.halfLightRadius, ie = m.brightness
        switch m.kind {
        case .smooth:
            addProfile(x: cx, y: cy, angle: m.positionAngle, axisRatio: m.axisRatio, extent: 7 * re,
                       colour: Self.oldPopulation(m.colour), profile: Self.sersicProfile(halfLight: re, index: m.sersicIndex, atHalfLight: ie))
        case .disk:
            drawDisk(m, cx, cy, &g)
        case .star:
            addStar(x: cx, y: cy, flux: m.brightness * 40, colour: (1, uniform(0.85, 1), uniform(0.7, 1.05)), &g)
        case .artifact:
            addArtifact(m, cx, cy, &g)
        }
        if let odd = m.oddFeature { drawOddFeature(odd, m, cx, cy, &g) }
    }

    mutating func drawDisk(_ m: Morphology, _ cx: Float, _ cy: Float, _ g: inout SeededGenerator) {
        let re = m.halfLightRadius, h = re / 1.678
        let q = max(m.axisRatio, 0.1)
        let angle = m.positionAngle
        let diskColour: Colour = (0.8, 0.82, 0.98)
        // Spiral arms as a modulation of the disk in its own plane: logarithmic spirals
        // θ = ln(r)/tan(pitch) + 2πk/m, sharpened, fading in outside the bulge.
        let pitch: Float = [0.18, 0.32, 0.55][m.tightness]
        let arms = Float(m.armCount), strength = m.armStrength, phase0 = g.nextUniform() * 2 * .pi
        let spiral: ((Float, Float, Float) -> Float)? = m.spiral ? { u, v, r in
            let theta = atan2(v, u)
            let wave = 0.5 + 0.5 * cos(arms * (theta - log(max(r, 1) / h) / tan(pitch)) + phase0)
            let inner = min(1, max(0, (r - 0.4 * h) / (0.6 * h)))
            return 1 - strength * 0.7 * inner + strength * 3.2 * inner * wave * wave * wave * wave
        } : nil
        addProfile(x: cx, y: cy, angle: angle, axisRatio: q, extent: 6.5 * h, colour: diskColour,
                   profile: { r in 0.9 * m.brightness * exp(1.678) * exp(-r / h) }, modulation: spiral)
        if m.spiral {
            // Star-forming knots along the arms.
            for _ in 0..<Int(6 + 10 * strength) {
                let r = h * (0.8 + 2.2 * g.nextUniform()), k = Float(Int(g.nextUniform() * arms))
                let theta = log(r / h) / tan(pitch) + (2 * .pi * k - phase0) / arms
                let u = r * cos(theta), v = r * sin(theta) * q
                let x = cx + u * cos(angle) - v * sin(angle), y = cy + u * sin(angle) + v * cos(angle)
                addBlob(x: x, y: y, sigma: 1.5 + 1.5 * g.nextUniform(), peak: m.brightness * strength * (0.5 + g.nextUniform()), colour: Self.blue)
            }
            // The arms' young stars: a blue copy of the arm pattern.
            let blueArms: (Float, Float, Float) -> Float = { u, v, r in max(0, spiral!(u, v, r) - 1) }
            addProfile(x: cx, y: cy, angle: angle, axisRatio: q, extent: 6.5 * h, colour: Self.blue,
                       profile: { r in 0.45 * m.brightness * exp(1.678) * exp(-r / h) }, modulation: blueArms)
        }
        if m.isEdgeOn {
            // Edge-on: a thin disk plus the bulge shape the crowd is asked about (Q9).
            switch m.edgeOnBulge {
            case .rounded:
                addProfile(x: cx, y: cy, angle: angle, axisRatio: 0.8, extent: 2 * re, colour: Self.oldPopulation(m.colour),
                           profile: Self.sersicProfile(halfLight: 0.25 * re, index: 3, atHalfLight: 2.2 * m.brightness))
            case .boxy:
                addProfile(x: cx, y: cy, angle: angle, axisRatio: 0.55, extent: 1.2 * re, colour: Self.oldPopulation(m.colour),
                           profile: { r in 2.5 * m.brightness / (1 + pow(r / (0.3 * re), 6)) })
            case .none: break
            }
        } else if m.bulgeClass > 0 {
            let factor: Float = [0, 1.5, 5, 14][m.bulgeClass]
            addProfile(x: cx, y: cy, angle: angle, axisRatio: max(q, 0.75), extent: 3 * re, colour: Self.oldPopulation(m.colour),
                       profile: Self.sersicProfile(halfLight: 0.18 * re, index: 3, atHalfLight: factor * m.brightness))
        }
        if m.bar {
            let barAngle = angle + (g.nextUniform() - 0.5) * 1.6
            let length = 1.3 * h
            addProfile(x: cx, y: cy, angle: barAngle, axisRatio: 0.25, extent: 2.5 * length, colour: Self.oldPopulation(m.colour * 0.8)) { r in
                3 * m.barStrength * m.brightness * exp(-pow(r / length, 4))
            }
        }
    }

    mutating func drawOddFeature(_ odd: Morphology.OddFeature, _ m: Morphology, _ cx: Float, _ cy: Float, _ g: inout SeededGenerator) {
        func uniform(_ a: Float, _ b: Float) -> Float { a + (b - a) * g.nextUniform() }
        let re = m.halfLightRadius, s = m.oddStrength * m.brightness
        switch odd {
        case .ring:
            let radius = uniform(1.2, 2.0) * re, width = 0.12 * radius
            addProfile(x: cx, y: cy, angle: m.positionAngle, axisRatio: max(m.axisRatio, 0.35), extent: radius + 4 * width, colour: Self.blue) { r in
                1.8 * s * exp(-(r - radius) * (r - radius) / (2 * width * width))
            }
        case .lensOrArc:
            // A thin lensed arc around the galaxy.
            let radius = uniform(1.6, 2.6) * re, start = uniform(0, 2 * .pi), span = uniform(0.8, 1.8)
            for k in 0..<24 {
                let a = start + span * Float(k) / 23
                addBlob(x: cx + radius * cos(a), y: cy + radius * sin(a), sigma: 1.8, peak: 1.6 * s, colour: Self.blue)
            }
        case .disturbed:
            // Tidal tails: blobs along two curved streams of fading brightness.
            let a0 = uniform(0, 2 * .pi), curl = uniform(0.4, 1.2)
            for side in [Float(0), .pi] {
                for k in 0..<30 {
                    let t = Float(k) / 29, a = a0 + side + curl * t * 2
                    let radius = re * (0.8 + 2.2 * t)
                    addBlob(x: cx + radius * cos(a), y: cy + radius * sin(a), sigma: 3 + 4 * t, peak: 0.5 * s * (1 - 0.7 * t), colour: (0.8, 0.8, 0.9))
                }
            }
        case .irregular:
            for _ in 0..<Int(uniform(6, 14)) {
                let a = uniform(0, 2 * .pi), radius = re * uniform(0, 1.4)
                addBlob(x: cx + radius * cos(a), y: cy + radius * sin(a), sigma: uniform(2, 5), peak: uniform(1, 3) * s, colour: Self.blue)
            }
        case .other:
            let a = uniform(0, 2 * .pi), radius = re * uniform(0.3, 1)
            addBlob(x: cx + radius * cos(a), y: cy + radius * sin(a), sigma: 2.5, peak: 6 * s, colour: (1, 0.9, 0.7))
        case .merger:
            let a = uniform(0, 2 * .pi), distance = re * uniform(0.7, 1.6)
            let x = cx + distance * cos(a), y = cy + distance * sin(a)
            addProfile(x: x, y: y, angle: uniform(0, .pi), axisRatio: uniform(0.5, 1), extent: 5 * re,
                       colour: Self.oldPopulation(uniform(0.5, 1)),
                       profile: Self.sersicProfile(halfLight: re * uniform(0.5, 0.9), index: 2.5, atHalfLight: m.brightness * uniform(0.6, 1.2)))
            for k in 0..<10 {  // a bridge of stars between the two
                let t = Float(k) / 9
                addBlob(x: cx + (x - cx) * t, y: cy + (y - cy) * t, sigma: 4, peak: 0.4 * s, colour: (0.85, 0.85, 0.9))
            }
        case .dustLane:
            // Dims the light along the disk's major axis.
            let c = cos(m.positionAngle), sn = sin(m.positionAngle), width = max(1.5, 0.06 * re), offset = uniform(-1, 1) * width
            let depth = 0.6 + 0.35 * m.oddStrength
            let n = Self.size
            for y in 0..<n { for x in 0..<n {
                let dx = Float(x) - cx, dy = Float(y) - cy
                let v = -dx * sn + dy * c - offset, u = dx * c + dy * sn
                guard abs(v) < 4 * width, abs(u) < 3 * re else { continue }
                let dim = 1 - depth * exp(-v * v / (2 * width * width))
                for ch in 0..<3 { flux[ch * n * n + y * n + x] *= dim }
            } }
        }
    }

    mutating func addStar(x: Float, y: Float, flux total: Float, colour: Colour, _ g: inout SeededGenerator) {
        addBlob(x: x, y: y, sigma: 1.4, peak: total, colour: colour)
        addBlob(x: x, y: y, sigma: 6, peak: total * 0.02, colour: colour)
        if total > 1500 {
            // Diffraction spikes of the telescope's secondary-mirror supports.
            let length = min(90, 1.2 * total.squareRoot()), tilt = g.nextUniform() * 0.3
            for k in 0..<4 {
                let a = tilt + Float(k) * .pi / 2
                for step in stride(from: Float(3), to: length, by: 1.5) {
                    addBlob(x: x + step * cos(a), y: y + step * sin(a), sigma: 0.9, peak: total * 0.006 * (1 - step / length), colour: colour)
                }
            }
        }
    }

    mutating func addForegroundStar(_ g: inout SeededGenerator) {
        var x: Float, y: Float
        repeat { x = g.nextUniform() * 424; y = g.nextUniform() * 424 } while abs(x - Self.centre) < 40 && abs(y - Self.centre) < 40
        let flux = 12 * exp(g.nextUniform() * g.nextUniform() * 6.5)
        let t = g.nextUniform()
        addStar(x: x, y: y, flux: flux, colour: (1.2 - 0.5 * t, 0.85, 0.5 + 0.8 * t), &g)
    }

    mutating func addNeighbour(_ g: inout SeededGenerator) {
        let x = g.nextUniform() * 424, y = g.nextUniform() * 424
        let re = 2 + 6 * g.nextUniform()
        addProfile(x: x, y: y, angle: g.nextUniform() * .pi, axisRatio: 0.3 + 0.7 * g.nextUniform(), extent: 6 * re,
                   colour: Self.oldPopulation(g.nextUniform()),
                   profile: Self.sersicProfile(halfLight: re, index: 1 + 2 * g.nextUniform(), atHalfLight: 2 + 10 * g.nextUniform()))
    }

    mutating func addArtifact(_ m: Morphology, _ cx: Float, _ cy: Float, _ g: inout SeededGenerator) {
        // A satellite or meteor trail through the centre, usually in one colour, plus a faint source.
        let a = g.nextUniform() * .pi, colour: Colour = [(1, 0.2, 0.2), (0.2, 1, 0.2), (0.3, 0.3, 1), (1, 1, 1)][Int(g.nextUniform() * 3.99)]
        for step in stride(from: Float(-300), to: 300, by: 1.5) {
            addBlob(x: cx + step * cos(a), y: cy + step * sin(a), sigma: 1.2, peak: m.brightness * 0.6, colour: colour)
        }
        addBlob(x: cx, y: cy, sigma: 3, peak: m.brightness * 0.5, colour: (0.9, 0.8, 0.7))
    }
}
