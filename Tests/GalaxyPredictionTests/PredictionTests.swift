import Foundation
import Testing
import GalaxyTensor
import GalaxyKernels
import GalaxyImaging
import GalaxyZoo
import GalaxyPrediction
import GalaxyNetwork

@Suite("Test-time averaging and blends")
struct PredictionTests {
    @Test func averagingIdenticalPredictionsIsTheIdentity() {
        var g = SeededGenerator(seed: 1)
        let p = (0..<(37 * 5)).map { _ in g.nextUniform() }
        #expect(zip(Blend.uniform([p, p, p]), p).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(Blend.weighted([p, p], weights: [[0.25], [0.75]]), p).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    /// A round galaxy at the centre looks the same under every rotation and flip, so the model's
    /// outputs for those transforms (at one zoom) must nearly agree.
    @Test func rotationInvariantInputGivesNearIdenticalOutputs() {
        var pixels = [UInt8](repeating: 0, count: 424 * 424 * 3)
        for y in 0..<424 { for x in 0..<424 {
            let r2 = (Double(x) - 211.5) * (Double(x) - 211.5) + (Double(y) - 211.5) * (Double(y) - 211.5)
            for c in 0..<3 { pixels[(y * 424 + x) * 3 + c] = UInt8(10 + [200.0, 160, 120][c] * exp(-r2 / (2 * 35 * 35))) }
        } }
        let image = RGBImage(width: 424, height: 424, pixels: pixels)
        var g = SeededGenerator(seed: 2)
        let model = GalaxyModel(ModelConfiguration.builtIn.first { $0.name == "small" }!, generator: &g, backend: OneDNNBackend.sharedFast)
        let predictor = Predictor(model: model, tta: .full)
        let atUnitZoom = predictor.transforms.filter { $0.zoom == 1 }
        #expect(atUnitZoom.count == 20)
        var outputs: [[Float]] = []
        for t in atUnitZoom {
            let (v0, v45) = AffineWarp.views(image, t)
            outputs.append(predictor.meanPrediction(view0: v0, view45: v45))
        }
        let spread = (0..<37).map { j in (outputs.map { $0[j] }.max()! - outputs.map { $0[j] }.min()!) }.max()!
        #expect(spread < 0.01, "outputs differ by up to \(spread) across rotations and flips")
    }

    @Test func weightedBlendRecoversKnownWeightsAndPrunesAUselessModel() {
        var g = SeededGenerator(seed: 3)
        let n = 200 * 37
        let a = (0..<n).map { _ in g.nextUniform() }, b = (0..<n).map { _ in g.nextUniform() }
        let useless = (0..<n).map { _ in g.nextUniform() }
        let truth = zip(a, b).map { 0.7 * $0 + 0.3 * $1 }
        let weights = Blend.fitWeights([a, b, useless], truth: truth, columns: 37, iterations: 3000)
        #expect(abs(weights[0][0] - 0.7) < 0.03 && abs(weights[1][0] - 0.3) < 0.03, "weights \(weights)")
        #expect(weights[2][0] < 0.02)
        #expect(Blend.kept(weights) == [0, 1])
        let perAnswer = Blend.fitWeights([a, b, useless], truth: truth, columns: 37, perAnswer: true, iterations: 3000)
        #expect(perAnswer[0].count == 37 && perAnswer[0].allSatisfy { abs($0 - 0.7) < 0.1 })
    }
}
