import Foundation
import Testing
import GalaxyCore
import GalaxyTensor
import GalaxyKernels
import GalaxyZoo
import GalaxySimilarity
import TestSupport

/// Principal components against NumPy's eigendecomposition of the covariance.
@Suite("PCA")
struct PCATests {
    /// Correlated rows of 24 (the exact path: the subspace is the whole space) and of 300 dimensions
    /// (subspace iteration): explained variance and projections equal NumPy's to 1e-4 relative.
    @Test(arguments: [24, 300]) func componentsMatchNumPy(dimensions d: Int) throws {
        var g = SeededGenerator(seed: UInt64(d))
        let rows = 900, k = 6
        // Rows = Gaussian factors with decaying scales, mixed by a random matrix: a spectrum with gaps.
        let mix = (0..<(d * d)).map { _ in g.nextNormal() }
        let values: [Float] = (0..<rows).flatMap { _ -> [Float] in
            let f = (0..<d).map { j in g.nextNormal() * 3 / Float(j + 1) }
            return (0..<d).map { i in (0..<d).reduce(Float(0.5)) { $0 + mix[i * d + $1] * f[$1] } }
        }
        let folder = TestSupport.temporaryFolder("pca")
        try NPY.write(shape: [rows, d], values: values, to: folder + "/x.npy")
        // Three batches, as a run's parts arrive.
        let batches = [0..<300, 300..<700, 700..<900]
        let pca = try PCA.fit(dimensions: d, components: k, batches: 3, backend: OneDNNBackend.sharedFast) {
            Array(values[(batches[$0].lowerBound * d)..<(batches[$0].upperBound * d)])
        }
        try pca.write(to: folder + "/p.safetensors", metadata: ["layer": "test"])
        #expect(try PCA(file: folder + "/p.safetensors") == pca)
        let projected = (0..<rows).flatMap { pca.project(values[($0 * d)..<(($0 + 1) * d)]) }
        try NPY.write(shape: [rows, k], values: projected, to: folder + "/y.npy")
        try NPY.write(shape: [k], values: pca.explainedVarianceRatio, to: folder + "/r.npy")
        guard let printed = try TestSupport.numpy("""
            import numpy as np
            x = np.load('\(folder)/x.npy').astype(np.float64)
            c = np.cov(x.T); w, v = np.linalg.eigh(c); o = np.argsort(w)[::-1][:\(k)]; v = v[:, o]
            for j in range(\(k)):
                if v[np.argmax(np.abs(v[:, j])), j] < 0: v[:, j] *= -1
            ref = (x - x.mean(0)) @ v
            y = np.load('\(folder)/y.npy'); r = np.load('\(folder)/r.npy')
            print(np.abs(y - ref).max() / np.abs(ref).max(), np.abs(r - w[o] / np.trace(c)).max())
            """) else { return }
        let report = printed.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(report.count == 2 && report[0] < 1e-4 && report[1] < 1e-5, "\(report)")
    }

    @Test func aFileThatIsNotAProjectionIsRefusedByName() throws {
        let file = TestSupport.temporaryFolder("pca") + "/e.npy"
        try NPY.write(shape: [2, 2], values: [1, 2, 3, 4], to: file)
        #expect(throws: EmbeddingError.self) { try PCA(file: file) }
        do { _ = try PCA(file: file) } catch { #expect("\(error)".hasPrefix(file + ": not a PCA file"), "\(error)") }
    }
}
