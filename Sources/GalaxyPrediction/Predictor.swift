import Foundation
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyImaging
import GalaxyZoo
import GalaxyTraining
import GalaxyNetwork

/// Predictions of a trained run for any list of images: the decision-tree outputs with dropout
/// off, averaged over test-time transforms (spec §6: 60 = 3 zooms × 10 rotations × flip).
public struct Predictor {
    public let model: GalaxyModel
    public let backend: any Backend
    public let transforms: [ViewTransform]

    /// Loads a run's checkpoint. `tta` 60 uses the spec's transforms, 1 only the plain view.
    public init(run: RunDirectory, backend: any Backend, tta: Int = 60) throws {
        let (configuration, _) = try run.loadConfiguration()
        var g = SeededGenerator(seed: 0)
        var model = GalaxyModel(configuration, generator: &g, backend: backend)
        let weights = run.checkpoint + "/weights.safetensors"
        try model.load(try SafeTensors.read(weights, backend: backend), file: weights)
        self.init(model: model, backend: backend, tta: tta)
    }

    public init(model: GalaxyModel, backend: any Backend, tta: Int = 60) {
        require(tta == 1 || tta == 60, "Predictor: --tta must be 1 or 60, got \(tta)")
        var frozen = model.detached()
        frozen.decisionTree.mode = .normalised
        self.model = frozen
        self.backend = backend
        self.transforms = tta == 60 ? Augmentation.testTimeTransforms() : [ViewTransform()]
    }

    /// Mean prediction over the transforms for each image, n × 37, in `paths` order. Decoding and
    /// warping run on `workers` threads while the model evaluates.
    public func predict(paths: [String], extractions: [SourceExtraction]? = nil, workers: Int = 2,
                        progress: (Int, Int) -> Void = { _, _ in }) throws -> [Float] {
        let centred = model.configuration.centred
        let transforms = self.transforms
        let perImage = transforms.count
        // Views of one image under every transform, made by the workers ahead of the model.
        let slots = ResultSlots<Result<[Float], Error>>(count: paths.count)
        var predictions = [Float](repeating: 0, count: paths.count * DecisionTree.outputCount)
        // A few images at a time: their transformed views (up to 60 pairs each) stay small in memory.
        let chunk = 8
        for first in stride(from: 0, to: paths.count, by: chunk) {
            let range = first..<min(first + chunk, paths.count)
            Parallelism.forEach(count: range.count, threads: max(1, workers)) { i in
                let index = range.lowerBound + i
                slots.set(index, Result {
                    let image = try JPEG.read(paths[index])
                    let e = centred ? extractions?[index] : nil
                    var views: [Float] = []
                    views.reserveCapacity(perImage * 2 * 3 * 69 * 69)
                    for t in transforms {
                        var t = t
                        if let e { t.centreX = e.x; t.centreY = e.y; t.scale = e.scale }
                        let (v0, v45) = AffineWarp.views(image, t)
                        views += v0 + v45
                    }
                    return views
                })
            } monitor: {}
            for index in range {
                let views = try slots.values[index]!.get()
                predictions.replaceSubrange((index * 37)..<((index + 1) * 37), with: meanPrediction(views, count: perImage))
            }
            progress(range.upperBound, paths.count)
        }
        return predictions
    }

    /// The output for one view pair (view0 followed by view45), for tests of the transforms.
    public func meanPredictionForTests(_ viewPair: [Float]) -> [Float] { meanPrediction(viewPair, count: 1) }

    /// Mean decision-tree output over `count` transformed view pairs (packed view0, view45, …).
    func meanPrediction(_ views: [Float], count: Int) -> [Float] {
        let viewSize = 3 * 69 * 69
        var total = [Float](repeating: 0, count: DecisionTree.outputCount)
        var context = ForwardContext.inference
        for first in stride(from: 0, to: count, by: 16) {
            let batch = min(16, count - first)
            var v0 = [Float](), v45 = [Float]()
            for k in first..<(first + batch) {
                v0 += views[(2 * k * viewSize)..<((2 * k + 1) * viewSize)]
                v45 += views[((2 * k + 1) * viewSize)..<((2 * k + 2) * viewSize)]
            }
            let parts = Parts.stack(view0: v0, view45: v45, backend: backend)
            let out = model(Variable(parts), &context).value.scalars
            for k in 0..<batch { for j in 0..<37 { total[j] += out[k * 37 + j] } }
        }
        return total.map { $0 / Float(count) }
    }
}
