import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyLayers

/// A principal-component projection of embeddings (what Zoobot publishes for GZ DESI: 40
/// components of its 1280-unit representation): `mean`, the top `components` (unit rows,
/// [k, dimensions]) and the variance each explains. Fitted once on a table, saved as
/// safetensors (`mean`, `components`, `explained_variance`, `explained_variance_ratio`: the
/// names scikit-learn uses), and applied unchanged to later batches so that their coordinates
/// are comparable.
public struct PCA: Sendable, Equatable {
    public let mean: [Float]
    /// Row c is component c, unit length, its largest-magnitude entry positive (a fixed sign).
    public let components: [Float]
    public let explainedVariance: [Float], explainedVarianceRatio: [Float]
    public var dimensions: Int { mean.count }
    public var count: Int { explainedVariance.count }

    public init(mean: [Float], components: [Float], explainedVariance: [Float], explainedVarianceRatio: [Float]) {
        precondition(components.count == mean.count * explainedVariance.count && explainedVarianceRatio.count == explainedVariance.count,
                     "PCA: \(components.count) component entries for \(explainedVariance.count) × \(mean.count)")
        (self.mean, self.components, self.explainedVariance, self.explainedVarianceRatio) = (mean, components, explainedVariance, explainedVarianceRatio)
    }

    /// The coordinates of one row (dimensions floats) on the components.
    public func project(_ row: ArraySlice<Float>) -> [Float] {
        precondition(row.count == dimensions, "PCA: a row of \(row.count) floats, the projection takes \(dimensions)")
        let centred = zip(row, mean).map { $0 - $1 }, d = dimensions
        return (0..<count).map { c in
            var s: Float = 0
            for j in 0..<d { s += components[c * d + j] * centred[j] }
            return s
        }
    }

    /// Fits `k` components to the rows `batches` yields (rows × dimensions floats each; called
    /// twice with the same index: once for the mean, once for the scatter). The scatter matrix is
    /// summed in double precision from the backend's matrix products; its top eigenvectors come
    /// from subspace iteration (k + 16 vectors) finished by a Jacobi rotation of the small
    /// projected matrix, exact when the subspace is the whole space.
    public static func fit(dimensions d: Int, components k: Int, batches: Int, backend: any Backend,
                           rows batch: (Int) throws -> [Float]) throws -> PCA {
        precondition(k >= 1 && k <= d, "PCA: \(k) components of \(d) dimensions")
        var sum = [Double](repeating: 0, count: d), n = 0
        for b in 0..<batches {
            let x = try batch(b)
            for (i, v) in x.enumerated() { sum[i % d] += Double(v) }
            n += x.count / d
        }
        guard n >= 2 else { throw EmbeddingError(file: "PCA", reason: "fitting needs at least 2 rows, found \(n)") }
        let mean = sum.map { Float($0 / Double(n)) }
        var scatter = [Double](repeating: 0, count: d * d)
        for b in 0..<batches {
            var x = try batch(b)
            for i in x.indices { x[i] -= mean[i % d] }
            let t = Tensor(shape: [x.count / d, d], scalars: x, backend: backend)
            let product = Tensor.matmul(t, transposeA: true, t).scalars
            for i in scatter.indices { scatter[i] += Double(product[i]) }
        }
        let covariance = scatter.map { Float($0 / Double(n - 1)) }
        let (values, vectors) = topEigenvectors(covariance, dimensions: d, count: k, backend: backend)
        let total = (0..<d).reduce(0.0) { $0 + Double(covariance[$1 * d + $1]) }
        return PCA(mean: mean, components: vectors, explainedVariance: values,
                   explainedVarianceRatio: values.map { total > 0 ? Float(Double($0) / total) : 0 })
    }

    /// The `k` largest eigenvalues of the symmetric d × d matrix `a` and their unit eigenvectors (rows).
    static func topEigenvectors(_ a: [Float], dimensions d: Int, count k: Int, backend: any Backend) -> ([Float], [Float]) {
        let m = min(d, k + 16), matrix = Tensor(shape: [d, d], scalars: a, backend: backend)
        var generator = SeededGenerator(seed: 0x9CA)
        var q = orthonormalRows((0..<(m * d)).map { _ in Double(generator.nextNormal()) }, count: m, length: d)
        var previous = [Double](repeating: 0, count: m)
        // Iterate until the Ritz values settle (or 500 rounds); with m = d one round is exact.
        for round in 0..<(m == d ? 1 : 500) {
            let z = Tensor.matmul(Tensor(shape: [m, d], scalars: q.map(Float.init), backend: backend), matrix).scalars.map(Double.init)
            let ritz = (0..<m).map { i in (0..<d).reduce(0.0) { $0 + q[i * d + $1] * z[i * d + $1] } }
            q = orthonormalRows(z, count: m, length: d)
            if round > 2, zip(ritz.prefix(k), previous.prefix(k)).allSatisfy({ abs($0 - $1) <= 1e-6 * max(abs($0), 1e-30) }) { break }
            previous = ritz.sorted(by: >)
        }
        // Rayleigh–Ritz: T = Q A Qᵀ (m × m), diagonalised exactly; its eigenvectors rotate Q.
        let aq = Tensor.matmul(Tensor(shape: [m, d], scalars: q.map(Float.init), backend: backend), matrix).scalars.map(Double.init)
        var t = [Double](repeating: 0, count: m * m)
        for i in 0..<m { for j in 0..<m { t[i * m + j] = (0..<d).reduce(0.0) { $0 + q[i * d + $1] * aq[j * d + $1] } } }
        for i in 0..<m { for j in 0..<i { let s = (t[i * m + j] + t[j * m + i]) / 2; t[i * m + j] = s; t[j * m + i] = s } }
        let (values, rotation) = jacobi(t, size: m)
        let order = values.indices.sorted { values[$0] > values[$1] }.prefix(k)
        var vectors: [Float] = []
        for c in order {
            var v = [Double](repeating: 0, count: d)
            for i in 0..<m { let r = rotation[i * m + c]; for j in 0..<d { v[j] += r * q[i * d + j] } }
            let sign: Double = (v.max(by: { abs($0) < abs($1) }) ?? 1) < 0 ? -1 : 1
            vectors += v.map { Float($0 * sign) }
        }
        return (order.map { Float(max(values[$0], 0)) }, vectors)
    }

    /// Modified Gram–Schmidt on `count` rows of `length`: an orthonormal basis of their span (a
    /// row that falls into the span of those before it is replaced by a fresh direction).
    static func orthonormalRows(_ rows: [Double], count: Int, length: Int) -> [Double] {
        var q = rows
        for i in 0..<count {
            for j in 0..<i {
                let dot = (0..<length).reduce(0.0) { $0 + q[i * length + $1] * q[j * length + $1] }
                for t in 0..<length { q[i * length + t] -= dot * q[j * length + t] }
            }
            var norm = (0..<length).reduce(0.0) { $0 + q[i * length + $1] * q[i * length + $1] }.squareRoot()
            if norm < 1e-12 {
                for t in 0..<length { q[i * length + t] = t == i % length ? 1 : 0 }
                for j in 0..<i {
                    let dot = (0..<length).reduce(0.0) { $0 + q[i * length + $1] * q[j * length + $1] }
                    for t in 0..<length { q[i * length + t] -= dot * q[j * length + t] }
                }
                norm = max((0..<length).reduce(0.0) { $0 + q[i * length + $1] * q[i * length + $1] }.squareRoot(), 1e-300)
            }
            for t in 0..<length { q[i * length + t] /= norm }
        }
        return q
    }

    /// Cyclic Jacobi eigen-decomposition of a symmetric n × n matrix: eigenvalues, and the
    /// eigenvectors as the columns of the returned matrix.
    static func jacobi(_ matrix: [Double], size n: Int) -> ([Double], [Double]) {
        var a = matrix, v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<max(n, i + 1) { off += a[i * n + j] * a[i * n + j] } }
            if off < 1e-30 { break }
            for p in 0..<n {
                for r in (p + 1)..<max(n, p + 1) where abs(a[p * n + r]) > 1e-300 {
                    let theta = (a[r * n + r] - a[p * n + p]) / (2 * a[p * n + r])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akr = a[k * n + r]
                        a[k * n + p] = c * akp - s * akr; a[k * n + r] = s * akp + c * akr
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], ark = a[r * n + k]
                        a[p * n + k] = c * apk - s * ark; a[r * n + k] = s * apk + c * ark
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkr = v[k * n + r]
                        v[k * n + p] = c * vkp - s * vkr; v[k * n + r] = s * vkp + c * vkr
                    }
                }
            }
        }
        return ((0..<n).map { a[$0 * n + $0] }, v)
    }
}

extension PCA {
    /// Writes the projection as safetensors (float32 `mean`, `components`, `explained_variance`,
    /// `explained_variance_ratio`), `metadata` saying what it was fitted on.
    public func write(to path: String, metadata: [String: String]) throws {
        let b = ReferenceBackend.shared
        try SafeTensors.write([("mean", Tensor(shape: [dimensions], scalars: mean, backend: b)),
                               ("components", Tensor(shape: [count, dimensions], scalars: components, backend: b)),
                               ("explained_variance", Tensor(shape: [count], scalars: explainedVariance, backend: b)),
                               ("explained_variance_ratio", Tensor(shape: [count], scalars: explainedVarianceRatio, backend: b))],
                              metadata: metadata, to: path)
    }

    /// Reads a projection `write(to:)` wrote, refusing anything else by name.
    public init(file: String) throws {
        let tensors: [String: Tensor]
        do { tensors = Dictionary(try SafeTensors.read(file).map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a }) } catch {
            throw EmbeddingError(file: file, reason: "not a PCA file (\(error))")
        }
        guard let mean = tensors["mean"], let components = tensors["components"], let variance = tensors["explained_variance"],
              let ratio = tensors["explained_variance_ratio"], mean.shape.count == 1, components.shape == [variance.shape[0], mean.shape[0]],
              ratio.shape == variance.shape else {
            throw EmbeddingError(file: file, reason: "not a PCA file: expected mean [d], components [k, d], explained_variance [k], explained_variance_ratio [k]")
        }
        self.init(mean: mean.scalars, components: components.scalars, explainedVariance: variance.scalars, explainedVarianceRatio: ratio.scalars)
    }
}
