import Foundation

/// The galaxy found in an image: centre, shape, Petrosian radius and the rescaling it implies.
public struct SourceExtraction: Sendable, Equatable, Codable {
    /// Flux-weighted centroid (0-based pixel coordinates: x = column, y = row).
    public var x: Double, y: Double
    /// RMS extent along the major and minor axes (pixels) and the major axis angle in degrees from
    /// +x towards +y in image coordinates (rows down; SExtractor's y points up, so its sign differs).
    public var a: Double, b: Double, theta: Double
    /// Petrosian radius (η = 0.2) along the major axis, pixels.
    public var petrosianRadius: Double
    /// s = 160 / (2 · r_P), clipped to [1/1.5, 1.5]; 160 / (5.28 a) without a Petrosian radius;
    /// 1 when nothing was detected.
    public var scale: Double
    public var detected: Bool

    public init(x: Double, y: Double, a: Double, b: Double, theta: Double, petrosianRadius: Double, scale: Double, detected: Bool) {
        self.x = x; self.y = y; self.a = a; self.b = b; self.theta = theta
        self.petrosianRadius = petrosianRadius; self.scale = scale; self.detected = detected
    }

    /// The Petrosian aperture (2 r_P), the quantity SExtractor's PETRO_RADIUS·A reports and the
    /// original divided 160 by.
    public var petrosianAperture: Double { 2 * petrosianRadius }

    /// Why the measurement fell back to a default, or nil when it did not. A centred model then
    /// uses the frame centre and scale 1 (nothing detected) or the scale SExtractor's search limit
    /// gives (no Petrosian radius) —
    /// reported, never silent.
    public var fallback: String? {
        if !detected { return "no source detected: the frame centre and scale 1 are used" }
        if !petrosianRadius.isFinite {
            return "no Petrosian radius (the ratio never fell to η = 0.2): the scale of SExtractor's search limit, an aperture of 5.28 a, is used"
        }
        return nil
    }

    /// One line on the fallbacks among `extractions` of the images named `names`, or nil when none fell back.
    public static func fallbackReport(_ extractions: [SourceExtraction], names: [String]) -> String? {
        let fell = extractions.indices.filter { extractions[$0].fallback != nil }
        guard !fell.isEmpty else { return nil }
        let kinds = Dictionary(grouping: fell) { extractions[$0].fallback! }.sorted { $0.key < $1.key }
        return "\(fell.count) of \(extractions.count) source extractions fell back — "
            + kinds.map { reason, rows in "\(reason) (\(rows.count): \(rows.prefix(5).map { names[$0] }.joined(separator: ", "))\(rows.count > 5 ? ", …" : ""))" }
                .joined(separator: "; ")
    }

    /// No detection: frame centre, scale 1.
    public static func undetected(width: Int, height: Int) -> SourceExtraction {
        SourceExtraction(x: Double(width - 1) / 2, y: Double(height - 1) / 2, a: 0, b: 0, theta: 0, petrosianRadius: .nan, scale: 1, detected: false)
    }
}

/// Built-in source extraction on the green channel (original-solution-spec.md §2.6), after SExtractor 2.25's default
/// configuration, which the original ran: its background map and noise (`SkyBackground`, so the
/// glow of a bright star becomes background), detection above `threshold` σ on the image filtered
/// with its 3×3 pyramid kernel, 8-connected components, its multi-threshold deblending
/// (`Deblender`), the galaxy chosen by π·a·b·exp(−|x − c|²/5000), centroid and second moments
/// weighted by the filtered image (a deblended object's centre is its core's), and the Petrosian
/// radius with η = 0.2 in elliptical annuli. On the 256 real images of `sdss-dev` the centres agree
/// with SExtractor's to 0.015 px (median); docs/catalogues.md has the figures.
public enum SourceExtractor {
    public static let eta = 0.2
    /// Background mesh size in pixels (SExtractor's BACK_SIZE default); a 424-px image has 7 × 7 meshes.
    public static let meshSize = 64
    /// The Petrosian aperture (2 r_P) the centred variants rescale every galaxy to, in pixels of a
    /// 424-pixel cutout (cutouts of another size scale it with their width, as the views do).
    public static let targetAperture = 160.0
    /// SExtractor's Petrosian search ends at 6 isophotal radii in steps of 0.3, so when the ratio
    /// never falls to η it reports the last annulus's middle, 1.1 × 4.8: PETRO_RADIUS = 5.28 (the
    /// value of 197 of the 256 SDSS sample galaxies), an aperture of 5.28 A.
    public static let sextractorSearchLimit = 5.28

    /// Measures the galaxy in the green channel of any source image.
    public static func extract(_ image: some SourceImage, threshold: Double = 2.0, minimumArea: Int = 5) -> SourceExtraction {
        extract(green: image.plane255(1), width: image.width, height: image.height, threshold: threshold, minimumArea: minimumArea)
    }

    /// The same on one channel of values in 0…255 units (row-major), e.g. a float rendering.
    public static func extract(green: [Float], width w: Int, height h: Int, threshold: Double = 2.0, minimumArea: Int = 5) -> SourceExtraction {
        var green = green
        let n = w * h
        let (backgroundMap, sigma) = SkyBackground.estimate(green, width: w, height: h, meshSize: meshSize)
        for i in 0..<n { green[i] -= backgroundMap[i] }
        // SExtractor filters the image for detection with its default 3×3 pyramid kernel
        // (1 2 1 / 2 4 2 / 1 2 1, normalised).
        var smooth = [Float](repeating: 0, count: n)
        for y in 0..<h { for x in 0..<w {
            var total: Float = 0, count: Float = 0
            for dy in -1...1 { for dx in -1...1 {
                let yy = y + dy, xx = x + dx, weight = Float((2 - abs(dx)) * (2 - abs(dy)))
                if yy >= 0 && yy < h && xx >= 0 && xx < w { total += weight * green[yy * w + xx]; count += weight }
            } }
            smooth[y * w + x] = total / count
        } }
        // SExtractor compares the filtered image with the unfiltered background RMS; the floor
        // keeps noiseless renderings from detecting their own rounding.
        let level = Float(threshold) * max(sigma, 0.5)
        var label = [Int32](repeating: -1, count: n)
        var best: (score: Double, moments: Moments)? = nil
        var stack: [Int] = []
        let centre = (Double(w - 1) / 2, Double(h - 1) / 2)
        var next: Int32 = 0
        for start in 0..<n where smooth[start] > level && label[start] < 0 {
            // Flood fill one component, then split touching objects apart (deblending).
            var component: [Int] = []
            label[start] = next
            stack.append(start)
            while let p = stack.popLast() {
                component.append(p)
                let px = p % w, py = p / w
                for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 {
                    let xx = px + dx, yy = py + dy
                    guard xx >= 0, xx < w, yy >= 0, yy < h else { continue }
                    let q = yy * w + xx
                    if label[q] < 0 && smooth[q] > level { label[q] = next; stack.append(q) }
                } }
            }
            next += 1
            guard component.count >= minimumArea else { continue }
            for object in Deblender.split(component, green: green, smooth: smooth, width: w, threshold: level) {
                // As SExtractor: moments weighted by the filtered image; a deblended object's
                // centre is its core's.
                var m = Moments()
                for p in object.pixels { m.add(x: Double(p % w), y: Double(p / w), flux: Double(max(smooth[p], 0))) }
                guard m.pixels >= minimumArea, m.flux > 0 else { continue }
                m.centre = object.coreCentre
                let shape = m.shape
                let d2 = (shape.x - centre.0) * (shape.x - centre.0) + (shape.y - centre.1) * (shape.y - centre.1)
                let score = Double.pi * shape.a * shape.b * exp(-d2 / 5000)
                if best == nil || score > best!.score { best = (score, m) }
            }
        }
        guard let galaxy = best?.moments else { return .undetected(width: w, height: h) }
        let s = galaxy.shape
        // The background map is SExtractor's mode, which is below the sky's mean where an 8-bit
        // image clips the noise at black; the flux profile then levels off above zero and never
        // falls to η. The Petrosian ratio is a ratio of fluxes, so it takes the sky's mean: that of
        // the pixels well away from every detection.
        let sky = residualSky(green, detected: label, width: w, height: h)
        let radius = petrosianRadius(green, width: w, height: h, background: sky, x: s.x, y: s.y, a: s.a, b: s.b, theta: s.theta)
        // Where the ratio never falls to η, SExtractor (which the original ran) reports the end of
        // its search, 5.28 A; the rescale takes that aperture, and the fallback says so.
        let aperture = radius.isFinite ? 2 * radius : sextractorSearchLimit * s.a
        let target = targetAperture * Double(w) / Double(ViewTransform.imageSize)
        let scale = aperture > 0 ? min(1.5, max(1 / 1.5, target / aperture)) : 1
        return SourceExtraction(x: s.x, y: s.y, a: s.a, b: s.b, theta: s.theta * 180 / .pi, petrosianRadius: radius, scale: scale, detected: true)
    }

    /// The mean of the pixels farther than `margin` from any detected pixel (label ≥ 0); 0 when
    /// fewer than a tenth of the image is that far from everything.
    static func residualSky(_ green: [Float], detected label: [Int32], width w: Int, height h: Int, margin: Int = 12) -> Float {
        // A separable dilation of the detection mask: along rows, then along columns.
        var rows = [Bool](repeating: false, count: w * h), mask = rows
        for y in 0..<h {
            var last = -Int.max / 2
            for x in 0..<w { if label[y * w + x] >= 0 { last = x }; if x - last <= margin { rows[y * w + x] = true } }
            last = Int.max / 2
            for x in stride(from: w - 1, through: 0, by: -1) { if label[y * w + x] >= 0 { last = x }; if last - x <= margin { rows[y * w + x] = true } }
        }
        for x in 0..<w {
            var last = -Int.max / 2
            for y in 0..<h { if rows[y * w + x] { last = y }; if y - last <= margin { mask[y * w + x] = true } }
            last = Int.max / 2
            for y in stride(from: h - 1, through: 0, by: -1) { if rows[y * w + x] { last = y }; if last - y <= margin { mask[y * w + x] = true } }
        }
        var sum = 0.0, count = 0
        for i in 0..<(w * h) where !mask[i] { sum += Double(green[i]); count += 1 }
        return count * 10 >= w * h ? Float(sum / Double(count)) : 0
    }

    /// Radius along the major axis where the mean surface brightness in the elliptical annulus
    /// [0.8 r, 1.25 r] falls to η times the mean within r.
    static func petrosianRadius(_ green: [Float], width w: Int, height h: Int, background: Float,
                                x cx: Double, y cy: Double, a: Double, b: Double, theta: Double) -> Double {
        let q = max(0.3, b / max(a, 1e-6))
        let c = cos(theta), s = sin(theta)
        let bins = 400
        var flux = [Double](repeating: 0, count: bins), area = [Double](repeating: 0, count: bins)
        for y in 0..<h { for x in 0..<w {
            let dx = Double(x) - cx, dy = Double(y) - cy
            let u = dx * c + dy * s, v = (-dx * s + dy * c) / q
            let r = (u * u + v * v).squareRoot()
            let bin = Int(r)
            guard bin < bins else { continue }
            flux[bin] += Double(green[y * w + x] - background)
            area[bin] += 1
        } }
        var cumulativeFlux = [Double](repeating: 0, count: bins + 1), cumulativeArea = cumulativeFlux
        for i in 0..<bins { cumulativeFlux[i + 1] = cumulativeFlux[i] + flux[i]; cumulativeArea[i + 1] = cumulativeArea[i] + area[i] }
        // Flux and area within radius r, interpolated between bin edges.
        func within(_ table: [Double], _ r: Double) -> Double {
            let i = min(bins - 1, Int(r)), t = r - Double(i)
            return table[i] + t * (table[i + 1] - table[i])
        }
        var previous: (radius: Double, ratio: Double)? = nil
        var r = 2.0
        while r * 1.25 < Double(bins - 1) {
            let annulusFlux = within(cumulativeFlux, 1.25 * r) - within(cumulativeFlux, 0.8 * r)
            let annulusArea = within(cumulativeArea, 1.25 * r) - within(cumulativeArea, 0.8 * r)
            let insideFlux = within(cumulativeFlux, r), insideArea = within(cumulativeArea, r)
            if annulusArea > 0, insideArea > 0, insideFlux > 0 {
                let ratio = (annulusFlux / annulusArea) / (insideFlux / insideArea)
                if ratio < eta {
                    guard let (r0, ratio0) = previous else { return r }
                    return r0 + (r - r0) * (ratio0 - eta) / (ratio0 - ratio)  // linear interpolation
                }
                previous = (r, ratio)
            }
            r += 0.5
        }
        return .nan
    }

    /// Flux-weighted moments of a component, about its barycentre or about a given `centre`.
    struct Moments {
        var pixels = 0
        var flux = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0
        var centre: (x: Double, y: Double)? = nil

        mutating func add(x: Double, y: Double, flux f: Double) {
            pixels += 1
            flux += f; sx += f * x; sy += f * y; sxx += f * x * x; syy += f * y * y; sxy += f * x * y
        }

        /// The centre and the second moments about it (pixels²), made non-singular as
        /// SExtractor does: a twelfth of a pixel² added to both when the determinant is tiny.
        var centreAndCovariance: (x: Double, y: Double, xx: Double, yy: Double, xy: Double) {
            let mx = sx / flux, my = sy / flux
            let (x, y) = centre ?? (mx, my)
            var xx = sxx / flux - 2 * x * mx + x * x, yy = syy / flux - 2 * y * my + y * y
            let xy = sxy / flux - x * my - y * mx + x * y
            if xx * yy - xy * xy < 0.00694 { xx += 1.0 / 12; yy += 1.0 / 12 }
            return (x, y, xx, yy, xy)
        }

        /// Centre, RMS semi-axes and major-axis angle (radians) as SExtractor defines them.
        var shape: (x: Double, y: Double, a: Double, b: Double, theta: Double) {
            let (x, y, x2, y2, xy) = centreAndCovariance
            let mean = (x2 + y2) / 2, spread = (((x2 - y2) / 2) * ((x2 - y2) / 2) + xy * xy).squareRoot()
            return (x, y, (mean + spread).squareRoot(), max(mean - spread, 1e-6).squareRoot(), 0.5 * atan2(2 * xy, x2 - y2))
        }
    }
}
