import Foundation
import GalaxyCore

/// The realtime augmentation of the winning solution (original-solution-spec.md §2.5, §2.8) and its test-time
/// transforms (§6).
public enum Augmentation {
    /// The top RGB principal component of the Galaxy Zoo training images, scaled by its eigenvalue.
    public static let colourDirection: [Float] = [-0.0148366, -0.01253134, -0.01040762]
    public static let colourStandardDeviation: Float = 0.5
    public static let maximumTranslation = 4.0
    public static let maximumZoom = 1.3

    /// One training draw, shared by both views: θ ~ U[0, 2π), t ~ U[−4, 4]², z log-uniform in
    /// [1/1.3, 1.3], flip ~ Bernoulli(0.5); and the colour shift α ~ N(0, 0.5²).
    public static func draw(_ g: inout SeededGenerator, centreX: Double = ViewTransform.imageCentre, centreY: Double = ViewTransform.imageCentre, scale: Double = 1)
        -> (transform: ViewTransform, colourShift: Float) {
        func u() -> Double { Double(g.nextUniform()) }
        let theta = 2 * Double.pi * u()
        let tx = (2 * u() - 1) * maximumTranslation
        let ty = (2 * u() - 1) * maximumTranslation
        let zoom = exp(log(1 / maximumZoom) + (2 * log(maximumZoom)) * u())
        let flip = g.nextUniform() < 0.5
        let alpha = colourStandardDeviation * g.nextNormal()
        return (ViewTransform(rotation: theta, translationX: tx, translationY: ty, zoom: zoom, flip: flip,
                              centreX: centreX, centreY: centreY, scale: scale), alpha)
    }

    /// Adds α·w to every pixel of CHW colour planes and clips to [0, 1]. One band has no colour
    /// to shift: its planes are left as they are (α is still drawn, so the other draws of a
    /// step do not depend on the band count).
    public static func shiftColour(_ planes: inout [Float], by alpha: Float, direction: [Float] = colourDirection, bands: Int = 3) {
        guard bands == 3 else { return }
        let plane = planes.count / 3
        for c in 0..<3 {
            let delta = alpha * direction[c]
            for i in (c * plane)..<((c + 1) * plane) { planes[i] = min(1, max(0, planes[i] + delta)) }
        }
    }

    /// The 60 test-time transforms in the original's order: for z in {1/1.2, 1, 1.2}, for θ in
    /// {0°, 36°, …, 324°}: unflipped, then flipped.
    public static func testTimeTransforms(centreX: Double = ViewTransform.imageCentre, centreY: Double = ViewTransform.imageCentre, scale: Double = 1) -> [ViewTransform] {
        var result: [ViewTransform] = []
        for zoom in [1 / 1.2, 1, 1.2] {
            for step in 0..<10 {
                for flip in [false, true] {
                    result.append(ViewTransform(rotation: Double(step) * 36 * .pi / 180, zoom: zoom, flip: flip,
                                                centreX: centreX, centreY: centreY, scale: scale))
                }
            }
        }
        return result
    }

    /// The top principal component of RGB pixel values (in [0, 1]) over `images`, scaled by its
    /// eigenvalue and signed like the original's (negative components): the colour-noise
    /// direction for another survey. Returns (w, eigenvalue, unit direction).
    public static func principalComponent(_ images: [RGBImage], stride: Int = 3) -> (w: [Float], eigenvalue: Float, direction: [Float]) {
        var sum = [Double](repeating: 0, count: 3), cross = [Double](repeating: 0, count: 9), n = 0.0
        for image in images {
            let p = image.pixels
            var i = 0
            while i + 2 < p.count {
                let v = [Double(p[i]) / 255, Double(p[i + 1]) / 255, Double(p[i + 2]) / 255]
                for a in 0..<3 { sum[a] += v[a]; for b in 0..<3 { cross[a * 3 + b] += v[a] * v[b] } }
                n += 1
                i += 3 * stride
            }
        }
        var covariance = [Double](repeating: 0, count: 9)
        for a in 0..<3 { for b in 0..<3 { covariance[a * 3 + b] = cross[a * 3 + b] / n - sum[a] * sum[b] / (n * n) } }
        let (values, vectors) = symmetricEigen3(covariance)
        let top = values.indices.max { values[$0] < values[$1] }!
        var direction = (0..<3).map { vectors[$0 * 3 + top] }
        if direction.reduce(0, +) > 0 { direction = direction.map { -$0 } }
        return (direction.map { Float($0 * values[top]) }, Float(values[top]), direction.map(Float.init))
    }

    /// Eigenvalues and eigenvectors (columns) of a symmetric 3×3 matrix by Jacobi rotations.
    static func symmetricEigen3(_ matrix: [Double]) -> (values: [Double], vectors: [Double]) {
        var a = matrix, v: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
        for _ in 0..<50 {
            var p = 0, q = 1
            for (i, j) in [(0, 1), (0, 2), (1, 2)] where abs(a[i * 3 + j]) > abs(a[p * 3 + q]) { p = i; q = j }
            if abs(a[p * 3 + q]) < 1e-15 { break }
            let theta = (a[q * 3 + q] - a[p * 3 + p]) / (2 * a[p * 3 + q])
            let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
            let c = 1 / (t * t + 1).squareRoot(), s = t * c
            for k in 0..<3 {  // A ← Jᵀ A J
                let akp = a[k * 3 + p], akq = a[k * 3 + q]
                a[k * 3 + p] = c * akp - s * akq; a[k * 3 + q] = s * akp + c * akq
            }
            for k in 0..<3 {
                let apk = a[p * 3 + k], aqk = a[q * 3 + k]
                a[p * 3 + k] = c * apk - s * aqk; a[q * 3 + k] = s * apk + c * aqk
            }
            for k in 0..<3 {
                let vkp = v[k * 3 + p], vkq = v[k * 3 + q]
                v[k * 3 + p] = c * vkp - s * vkq; v[k * 3 + q] = s * vkp + c * vkq
            }
        }
        return ([a[0], a[4], a[8]], v)
    }
}
