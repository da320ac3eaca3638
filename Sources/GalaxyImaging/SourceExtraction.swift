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
    /// s = 160 / (2 · r_P), clipped to [1/1.5, 1.5] (1 when nothing was detected).
    public var scale: Double
    public var detected: Bool

    public init(x: Double, y: Double, a: Double, b: Double, theta: Double, petrosianRadius: Double, scale: Double, detected: Bool) {
        self.x = x; self.y = y; self.a = a; self.b = b; self.theta = theta
        self.petrosianRadius = petrosianRadius; self.scale = scale; self.detected = detected
    }

    /// The Petrosian aperture (2 r_P), the quantity SExtractor's PETRO_RADIUS·A reports and the
    /// original divided 160 by.
    public var petrosianAperture: Double { 2 * petrosianRadius }

    /// No detection: frame centre, scale 1.
    public static func undetected(width: Int, height: Int) -> SourceExtraction {
        SourceExtraction(x: Double(width - 1) / 2, y: Double(height - 1) / 2, a: 0, b: 0, theta: 0, petrosianRadius: .nan, scale: 1, detected: false)
    }
}

/// Built-in source extraction on the green channel (spec §2.6), after SExtractor's default
/// configuration, which the original ran: a background map from the clipped modes of 64-pixel
/// meshes (so the glow of a bright star becomes background) and the noise as their clipped
/// standard deviation, detection above `threshold` σ on the image filtered with SExtractor's 3×3
/// pyramid kernel, 8-connected components, deblending, the galaxy chosen by
/// π·a·b·exp(−|x − c|²/5000), flux-weighted centroid and second moments for a, b, θ, and the
/// Petrosian radius with η = 0.2 in elliptical annuli.
public enum SourceExtractor {
    public static let eta = 0.2
    /// Background mesh size in pixels (SExtractor's BACK_SIZE default); a 424-px image has 7 × 7 meshes.
    public static let meshSize = 64
    public static let targetAperture = 160.0

    /// Measures the galaxy in the green channel of any source image.
    public static func extract(_ image: some SourceImage, threshold: Double = 2.0, minimumArea: Int = 5) -> SourceExtraction {
        extract(green: image.plane255(1), width: image.width, height: image.height, threshold: threshold, minimumArea: minimumArea)
    }

    /// The same on one channel of values in 0…255 units (row-major), e.g. a float rendering.
    public static func extract(green: [Float], width w: Int, height h: Int, threshold: Double = 2.0, minimumArea: Int = 5) -> SourceExtraction {
        var green = green
        let n = w * h
        let (backgroundMap, sigma) = backgroundMap(green, width: w, height: h)
        for i in 0..<n { green[i] -= backgroundMap[i] }
        let background: Float = 0
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
        // SExtractor compares the filtered image with the unfiltered background RMS.
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
                var m = Moments()
                for p in object { m.add(x: Double(p % w), y: Double(p / w), flux: Double(max(green[p] - background, 0))) }
                guard m.pixels >= minimumArea, m.flux > 0 else { continue }
                let shape = m.shape
                let d2 = (shape.x - centre.0) * (shape.x - centre.0) + (shape.y - centre.1) * (shape.y - centre.1)
                let score = Double.pi * shape.a * shape.b * exp(-d2 / 5000)
                if best == nil || score > best!.score { best = (score, m) }
            }
        }
        guard let galaxy = best?.moments else { return .undetected(width: w, height: h) }
        let s = galaxy.shape
        let radius = petrosianRadius(green, width: w, height: h, background: background, x: s.x, y: s.y, a: s.a, b: s.b, theta: s.theta)
        let scale = radius.isFinite ? min(1.5, max(1 / 1.5, targetAperture / (2 * radius))) : 1
        return SourceExtraction(x: s.x, y: s.y, a: s.a, b: s.b, theta: s.theta * 180 / .pi, petrosianRadius: radius, scale: scale, detected: true)
    }

    /// The background at every pixel (bilinear between the 3×3-median-filtered clipped modes of a
    /// grid of `meshSize` meshes) and the typical noise σ (median over the meshes).
    static func backgroundMap(_ values: [Float], width w: Int, height h: Int) -> ([Float], Float) {
        let cells = max(2, (max(w, h) + meshSize / 2) / meshSize)
        var medians = [Float](repeating: 0, count: cells * cells), sigmas = medians
        for cy in 0..<cells { for cx in 0..<cells {
            var cell: [Float] = []
            for y in (cy * h / cells)..<((cy + 1) * h / cells) { for x in (cx * w / cells)..<((cx + 1) * w / cells) { cell.append(values[y * w + x]) } }
            (medians[cy * cells + cx], sigmas[cy * cells + cx]) = backgroundAndNoise(cell)
        } }
        // A 3×3 median filter over the grid removes cells dominated by the galaxy itself.
        var filtered = medians
        for cy in 0..<cells { for cx in 0..<cells {
            var around: [Float] = []
            for dy in -1...1 { for dx in -1...1 where (0..<cells).contains(cy + dy) && (0..<cells).contains(cx + dx) {
                around.append(medians[(cy + dy) * cells + cx + dx])
            } }
            filtered[cy * cells + cx] = around.sorted()[around.count / 2]
        } }
        var map = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            let gy = min(max((Double(y) + 0.5) * Double(cells) / Double(h) - 0.5, 0), Double(cells - 1))
            let y0 = min(Int(gy), cells - 2), ty = Float(gy - Double(y0))
            for x in 0..<w {
                let gx = min(max((Double(x) + 0.5) * Double(cells) / Double(w) - 0.5, 0), Double(cells - 1))
                let x0 = min(Int(gx), cells - 2), tx = Float(gx - Double(x0))
                let top = filtered[y0 * cells + x0] * (1 - tx) + filtered[y0 * cells + x0 + 1] * tx
                let bottom = filtered[(y0 + 1) * cells + x0] * (1 - tx) + filtered[(y0 + 1) * cells + x0 + 1] * tx
                map[y * w + x] = top * (1 - ty) + bottom * ty
            }
        }
        return (map, sigmas.sorted()[sigmas.count / 2])
    }

    /// SExtractor's background estimate of one mesh: after three rounds of 3σ clipping around the
    /// median, σ is the standard deviation of what is left and the background its mode,
    /// 2.5 · median − 1.5 · mean, unless the mean and median differ by 0.3 σ or more (a crowded
    /// mesh), where it is the median. Medians come from histograms of quarter-unit bins,
    /// interpolated inside their bin (a whole-unit histogram would bias float inputs by up to
    /// half a unit, which matters for faint wings).
    static func backgroundAndNoise(_ values: [Float]) -> (Float, Float) {
        let binsPerUnit: Float = 4, bins = 256 * 4
        var low: Float = 0, high: Float = 256
        var median: Float = 0, mean: Double = 0, sigma: Float = 1
        for _ in 0..<3 {
            var histogram = [Int](repeating: 0, count: bins)
            var count = 0.0, sum = 0.0, squares = 0.0
            for v in values where v >= low && v < high {
                histogram[min(bins - 1, max(0, Int(v * binsPerUnit)))] += 1
                count += 1; sum += Double(v); squares += Double(v) * Double(v)
            }
            median = interpolatedMedian(histogram) / binsPerUnit
            mean = sum / max(count, 1)
            sigma = max(0.5, Float(max(0, squares / max(count, 1) - mean * mean).squareRoot()))
            low = median - 3 * sigma; high = median + 3 * sigma
        }
        let crowded = abs(mean - Double(median)) >= 0.3 * Double(sigma)
        return (crowded ? median : Float(2.5 * Double(median) - 1.5 * mean), sigma)
    }

    /// The median of histogrammed data, interpolated linearly inside its bin (in bin units).
    private static func interpolatedMedian(_ histogram: [Int]) -> Float {
        let half = Float(histogram.reduce(0, +)) / 2
        var below: Float = 0
        for (bin, count) in histogram.enumerated() where count > 0 {
            if below + Float(count) >= half { return Float(bin) + (half - below) / Float(count) }
            below += Float(count)
        }
        return Float(histogram.count)
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

    /// Flux-weighted moments of a component.
    struct Moments {
        var pixels = 0
        var flux = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, syy = 0.0, sxy = 0.0

        mutating func add(x: Double, y: Double, flux f: Double) {
            pixels += 1
            flux += f; sx += f * x; sy += f * y; sxx += f * x * x; syy += f * y * y; sxy += f * x * y
        }

        /// Centroid, RMS semi-axes and major-axis angle (radians) as SExtractor defines them.
        var shape: (x: Double, y: Double, a: Double, b: Double, theta: Double) {
            let x = sx / flux, y = sy / flux
            let x2 = max(sxx / flux - x * x, 1 / 12), y2 = max(syy / flux - y * y, 1 / 12), xy = sxy / flux - x * y
            let mean = (x2 + y2) / 2, spread = (((x2 - y2) / 2) * ((x2 - y2) / 2) + xy * xy).squareRoot()
            return (x, y, (mean + spread).squareRoot(), max(mean - spread, 1e-6).squareRoot(), 0.5 * atan2(2 * xy, x2 - y2))
        }
    }
}
