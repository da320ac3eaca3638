import Foundation

/// The sky background and its noise as SExtractor 2.25 estimates them with its default
/// configuration (BACK_SIZE 64, BACK_FILTERSIZE 3, BACK_FILTERTHRESH 0), which the original ran:
/// - meshes of `meshSize` pixels from the image origin, the last row and column partial;
/// - in each mesh, a first clip at ±2σ of all its pixels, then a histogram spanning ±5σ of what is
///   left, clipped at ±3σ around its median until σ converges; the background is the mode
///   2.5·median − 1.5·mean, or the median where the two differ by 0.3σ or more (crowded meshes);
/// - a 3×3 median filter over the mesh grid, its window shrinking symmetrically at the edges
///   (a corner mesh keeps its own value), applied to the backgrounds and the σs alike;
/// - the noise of the image: the median of the filtered σs;
/// - the map at every pixel: a bicubic spline through the mesh centres.
/// Measured against SExtractor's own background check image in docs/catalogues.md.
public enum SkyBackground {
    /// The background at every pixel (row-major) and the image's noise σ.
    public static func estimate(_ values: [Float], width w: Int, height h: Int, meshSize: Int) -> (map: [Float], sigma: Float) {
        let nx = (w - 1) / meshSize + 1, ny = (h - 1) / meshSize + 1
        var backs = [Float](repeating: 0, count: nx * ny), sigmas = backs
        var mesh: [Float] = []
        for my in 0..<ny { for mx in 0..<nx {
            mesh.removeAll(keepingCapacity: true)
            for y in (my * meshSize)..<min(h, (my + 1) * meshSize) {
                for x in (mx * meshSize)..<min(w, (mx + 1) * meshSize) { mesh.append(values[y * w + x]) }
            }
            (backs[my * nx + mx], sigmas[my * nx + mx]) = meshStatistics(mesh)
        } }
        backs = medianFiltered(backs, nx: nx, ny: ny)
        sigmas = medianFiltered(sigmas, nx: nx, ny: ny)
        let sigma = median(sigmas)
        return (interpolated(backs, nx: nx, ny: ny, width: w, height: h, meshSize: meshSize), sigma > 0 ? sigma : 1)
    }

    /// Background and σ of one mesh.
    public static func meshStatistics(_ pixels: [Float]) -> (background: Float, sigma: Float) {
        func meanAndSigma(_ values: some Sequence<Float>) -> (mean: Double, sigma: Double, count: Int) {
            var n = 0, sum = 0.0, squares = 0.0
            for v in values { n += 1; sum += Double(v); squares += Double(v) * Double(v) }
            guard n > 0 else { return (0, 0, 0) }
            let mean = sum / Double(n)
            return (mean, max(0, squares / Double(n) - mean * mean).squareRoot(), n)
        }
        let all = meanAndSigma(pixels)
        let low = Float(all.mean - 2 * all.sigma), high = Float(all.mean + 2 * all.sigma)
        let clipped = meanAndSigma(pixels.lazy.filter { $0 >= low && $0 <= high })
        // The histogram spans ±5σ with about one bin per 0.8 pixels (SExtractor's quantisation).
        let step = (2 / Double.pi).squareRoot() * 5 / 4
        let levels = min(Int(step * Double(clipped.count) + 1), 4096)
        let scale = clipped.sigma > 0 ? 10 * clipped.sigma / Double(levels) : 1
        let zero = clipped.mean - 5 * clipped.sigma
        var histogram = [Int](repeating: 0, count: levels)
        let offset = 0.499999 - zero / scale
        for v in pixels {
            let bin = Int(Double(v) / scale + offset)  // truncation toward zero, as C's cast
            if bin >= 0 && bin < levels { histogram[bin] += 1 }
        }
        var lowCut = 0, highCut = levels - 1
        var sigma = 10.0 * Double(levels - 1), previous = 1.0, mean = clipped.mean, median = clipped.mean
        for _ in 0..<100 where sigma >= 0.1 && abs(sigma / previous - 1) > 1e-4 {
            previous = sigma
            var count = 0.0, sum = 0.0, squares = 0.0
            for i in lowCut...highCut {
                let c = Double(histogram[i])
                count += c; sum += c * Double(i); squares += c * Double(i) * Double(i)
            }
            median = histogramMedian(histogram, from: lowCut, to: highCut)
            mean = count > 0 ? sum / count : 0
            sigma = count > 0 ? max(0, squares / count - mean * mean).squareRoot() : 0
            lowCut = median - 3 * sigma > 0 ? Int(median - 3 * sigma + 0.5) : 0
            highCut = median + 3 * sigma < Double(levels - 1) ? Int(median + 3 * sigma + 0.5) : levels - 1
        }
        let mode: Double
        if sigma > 0 { mode = abs((mean - median) / sigma) < 0.3 ? 2.5 * median - 1.5 * mean : median } else { mode = mean }
        return (Float(zero + mode * scale), Float(sigma * scale))
    }

    /// The median of histogram bins `low...high` in bin units, interpolated inside the middle bin
    /// the way SExtractor does: the bins are consumed from both ends towards the middle.
    public static func histogramMedian(_ histogram: [Int], from low: Int, to high: Int) -> Double {
        var lowSum = 0, highSum = 0, lo = low, hi = high
        for _ in low...high {
            if lowSum < highSum { lowSum += histogram[lo]; lo += 1 } else { highSum += histogram[hi]; hi -= 1 }
        }
        guard hi >= 0 else { return 0 }
        let widest = max(lo < histogram.count ? histogram[lo] : 0, histogram[hi])
        return Double(hi) + 0.5 + (widest > 0 ? Double(highSum - lowSum) / (2 * Double(widest)) : 0)
    }

    /// A 3×3 median filter over the mesh grid whose window shrinks symmetrically at the edges.
    static func medianFiltered(_ grid: [Float], nx: Int, ny: Int) -> [Float] {
        var out = grid
        for py in 0..<ny { for px in 0..<nx {
            let hx = min(1, px, nx - 1 - px), hy = min(1, py, ny - 1 - py)
            var window: [Float] = []
            for y in (py - hy)...(py + hy) { for x in (px - hx)...(px + hx) { window.append(grid[y * nx + x]) } }
            out[py * nx + px] = median(window)
        } }
        return out
    }

    static func median(_ values: [Float]) -> Float {
        let sorted = values.sorted(), n = sorted.count
        guard n > 0 else { return 0 }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// Bicubic spline through the mesh centres: along y at every mesh column, then along x.
    /// Pixel column x sits at (x + 0.5)/meshSize − 0.5 mesh units, row y at y/meshSize − 0.5 (as
    /// in SExtractor); beyond the outer centres the outer spline segment extends.
    static func interpolated(_ grid: [Float], nx: Int, ny: Int, width w: Int, height h: Int, meshSize: Int) -> [Float] {
        let size = Double(meshSize)
        var columnCurvature = [[Double]](), columns = [[Double]]()
        for x in 0..<nx {
            let column = (0..<ny).map { Double(grid[$0 * nx + x]) }
            columns.append(column); columnCurvature.append(curvatures(column))
        }
        var map = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            let row = (0..<nx).map { x in evaluate(columns[x], columnCurvature[x], at: Double(y) / size - 0.5) }
            let rowCurvature = curvatures(row)
            for x in 0..<w { map[y * w + x] = Float(evaluate(row, rowCurvature, at: (Double(x) + 0.5) / size - 0.5)) }
        }
        return map
    }

    /// A cubic spline at position `u` (node units) given its node values and `curvatures`.
    static func evaluate(_ values: [Double], _ curvature: [Double], at u: Double) -> Double {
        guard values.count > 1 else { return values.first ?? 0 }
        let k = min(max(Int(u), 0), values.count - 2), t = u - Double(k), c = 1 - t
        return c * (values[k] + (c * c - 1) * curvature[k]) + t * (values[k + 1] + (t * t - 1) * curvature[k + 1])
    }

    /// Second-derivative terms of a natural spline through equally spaced `values`, by
    /// SExtractor's recurrence — whose back-substitution divides the coupling to the next node
    /// by 6 once more than the textbook does; kept, so that the maps agree with its own.
    static func curvatures(_ values: [Double]) -> [Double] {
        let n = values.count
        var d = [Double](repeating: 0, count: n)
        guard n > 2 else { return d }
        var u = [Double](repeating: 0, count: n)
        for i in 1..<(n - 1) {
            let e = -1 / (d[i - 1] + 4)
            d[i] = e
            u[i] = e * (u[i - 1] - 6 * (values[i + 1] + values[i - 1] - 2 * values[i]))
        }
        d[n - 1] = 0
        for i in stride(from: n - 2, through: 1, by: -1) { d[i] = (d[i] * d[i + 1] + u[i]) / 6 }
        return d
    }
}
