import Foundation
import GalaxyTensor
import GalaxyImaging
import GalaxyNetwork
import GalaxyZoo
import GalaxyModels

/// The test-time transforms of a prediction (original-solution-spec.md §6).
public enum TestTimeAugmentation: Int, Sendable, CaseIterable, Codable {
    /// Only the plain view.
    case none = 1
    /// The 8 right-angle rotations and their mirrors at zoom 1: a cheap set for bulk runs.
    case rightAngles = 8
    /// 3 zooms × 10 rotations × flip.
    case full = 60

    /// The transforms about the centre of an SDSS cutout.
    public var transforms: [ViewTransform] { transforms(for: .sdss) }

    /// The transforms about the centre of a cutout of `cutout`'s size.
    public func transforms(for cutout: CutoutFormat) -> [ViewTransform] {
        let c = cutout.centre
        switch self {
        case .none: return [cutout.plainTransform]
        case .rightAngles: return (0..<8).map { ViewTransform(rotation: Double($0 % 4) * Double.pi / 2, flip: $0 >= 4, centreX: c, centreY: c) }
        case .full: return Augmentation.testTimeTransforms(centreX: c, centreY: c)
        }
    }
}

/// One image's prediction: each answer's mean over the test-time transforms, and its standard
/// deviation over them (how much the answer depends on the view).
public struct Prediction: Sendable {
    public var answers: [Float]
    public var spread: [Float]
    /// The source extraction a centred model used (given or measured), nil for other models.
    public var extraction: SourceExtraction? = nil
    /// A model of vote counts: each view's Dirichlet concentrations (views × answers).
    public var concentrations: [Float]? = nil
    /// The kept hidden layer's activations (`Predictor.embeddingLayer`), averaged over the views.
    public var embedding: [Float]? = nil

    public init(answers: [Float], spread: [Float], extraction: SourceExtraction? = nil, concentrations: [Float]? = nil, embedding: [Float]? = nil) {
        (self.answers, self.spread, self.extraction, self.concentrations, self.embedding) = (answers, spread, extraction, concentrations, embedding)
    }

    /// What the concentrations say about votes (nil for a model of fractions).
    public func predictive(tree: DecisionTree) -> VotePredictive? { concentrations.map { VotePredictive(tree: tree, concentrations: $0) } }
}

/// Predictions of a trained run for any list of images: the decision-tree outputs with dropout
/// off, averaged over test-time transforms.
public struct Predictor {
    public let model: GalaxyModel
    public let transforms: [ViewTransform]
    /// A hidden layer (`GalaxyModel.hiddenLayerNames`) whose activations each prediction carries, averaged over the views.
    public var embeddingLayer: String?

    /// Loads a trained model (a run folder or a model folder).
    public init(folder: ModelFolder, backend: any Backend, tta: TestTimeAugmentation = .full) throws {
        self.init(model: try folder.loadModel(backend: backend), tta: tta)
    }

    public init(model: GalaxyModel, tta: TestTimeAugmentation = .full) {
        var frozen = model.detached()
        frozen.outputMode = .normalised
        self.model = frozen
        self.transforms = tta.transforms(for: model.configuration.cutout)
    }

    /// Mean prediction over the transforms for each image, n × answers, in `paths` order; the first
    /// unreadable image throws. Decoding and warping run on `workers` threads.
    public func predict(paths: [String], extractions: [SourceExtraction]? = nil, workers: Int = 2, reader: ImageReader = .standard,
                        progress: (Int, Int) -> Void = { _, _ in }) throws -> [Float] {
        try predictions(paths: paths, extractions: extractions, workers: workers, reader: reader, progress: progress).flatMap { try $0.get().answers }
    }

    /// Each image's prediction, or why it could not be made (a bulk run reports it and goes on).
    /// Each image is decoded once: a centred model measures it from the same pixels unless its
    /// extraction is given (a dataset's cache). Whether the model is centred is decided here only.
    public func predictions(paths: [String], extractions: [SourceExtraction]? = nil, workers: Int = 2, reader: ImageReader = .standard,
                            progress: (Int, Int) -> Void = { _, _ in }) -> [Result<Prediction, Error>] {
        require(extractions == nil || extractions?.count == paths.count, "Predictor: \(paths.count) images, \(extractions?.count ?? 0) extractions")
        let centred = model.configuration.centred, cutout = model.configuration.cutout
        let transforms = self.transforms, reader = reader.reading(cutout)
        var predictions: [Result<Prediction, Error>] = []
        predictions.reserveCapacity(paths.count)
        // A few images at a time: their transformed views (up to 60 pairs each) stay small in memory.
        let chunk = 8
        for first in stride(from: 0, to: paths.count, by: chunk) {
            let range = first..<min(first + chunk, paths.count)
            // Views of each image of the chunk under every transform, made by the workers.
            let slots = ResultSlots<Result<(view0: [Float], view45: [Float], extraction: SourceExtraction?), Error>>(count: range.count)
            Parallelism.forEach(count: range.count, threads: max(1, workers)) { i in
                let index = range.lowerBound + i
                slots.set(i, Result {
                    let image = try Self.checked(reader.read(paths[index]), paths[index], cutout: cutout)
                    let e = centred ? extractions?[index] ?? SourceExtractor.extract(image) : nil
                    var view0: [Float] = [], view45: [Float] = []
                    view0.reserveCapacity(transforms.count * cutout.viewFloats)
                    view45.reserveCapacity(transforms.count * cutout.viewFloats)
                    for t in transforms {
                        let (v0, v45) = AffineWarp.views(image, t.centred(on: e), cutout: cutout)
                        view0 += v0
                        view45 += v45
                    }
                    return (view0, view45, e)
                })
            } monitor: {}
            for index in range {
                predictions.append(slots.values[index - range.lowerBound]!.map { views in
                    var prediction = summary(view0: views.view0, view45: views.view45)
                    prediction.extraction = views.extraction
                    return prediction
                })
            }
            progress(range.upperBound, paths.count)
        }
        return predictions
    }

    /// The network was trained on cutouts of one size: other sizes are refused (FITS cutouts are
    /// resampled on reading, so only JPEGs can fail here).
    static func checked(_ image: any SourceImage, _ path: String, cutout: CutoutFormat) throws -> any SourceImage {
        let size = cutout.size
        guard image.width == size && image.height == size else {
            throw ImageError(file: path, reason: "image is \(image.width)×\(image.height), expected \(size)×\(size) (give a FITS cutout with its pixel scale instead)")
        }
        return image
    }

    /// Mean decision-tree output over k view pairs (k·bands·69·69 floats each).
    public func meanPrediction(view0: [Float], view45: [Float]) -> [Float] { summary(view0: view0, view45: view45).answers }

    /// Mean and standard deviation of each answer over k view pairs.
    func summary(view0: [Float], view45: [Float]) -> Prediction {
        let (out, alpha, hidden) = model.outputs(view0: view0, view45: view45, keeping: embeddingLayer)
        return Self.summary(answers: out[...], concentrations: alpha?[...], hidden: hidden?[...], views: view0.count / model.configuration.cutout.viewFloats,
                            width: model.configuration.tree.outputCount)
    }

    /// One image's prediction from its views' outputs (views × answers each).
    static func summary(answers out: ArraySlice<Float>, concentrations alpha: ArraySlice<Float>?, hidden: ArraySlice<Float>?, views count: Int, width n: Int) -> Prediction {
        let out = Array(out)
        var total = [Float](repeating: 0, count: n)
        for k in 0..<count { for j in 0..<n { total[j] += out[k * n + j] } }
        let mean = total.map { $0 / Float(count) }
        var squares = [Float](repeating: 0, count: n)
        for k in 0..<count { for j in 0..<n { squares[j] += (out[k * n + j] - mean[j]) * (out[k * n + j] - mean[j]) } }
        let embedding = hidden.map { slice in
            let h = Array(slice), units = h.count / count
            return (0..<units).map { u in stride(from: u, to: h.count, by: units).reduce(Float(0)) { $0 + h[$1] } / Float(count) }
        }
        return Prediction(answers: mean, spread: squares.map { ($0 / Float(count)).squareRoot() }, concentrations: alpha.map(Array.init), embedding: embedding)
    }

    /// Predictions of images already read (a server's requests): a few images at a time have
    /// their views made on `workers` threads, then go through the network in passes of up to
    /// `GalaxyModel.inferenceBatch` views (several images per pass when each has few views, so
    /// that one-view requests still fill a pass). The same transforms and arithmetic as
    /// `predictions(paths:)`; memory holds one chunk's views.
    public func predictions(images: [any SourceImage], workers: Int = 2) -> [Prediction] {
        let cutout = model.configuration.cutout, transforms = self.transforms, centred = model.configuration.centred
        let k = transforms.count, perPass = max(1, GalaxyModel.inferenceBatch / k), chunk = max(8, perPass)
        let n = model.configuration.tree.outputCount
        var predictions: [Prediction] = []
        for first in stride(from: 0, to: images.count, by: chunk) {
            let range = first..<min(first + chunk, images.count)
            // Each (image, transform) pair is a task of its own, so a chunk of one image keeps every worker busy.
            let measured = ResultSlots<SourceExtraction>(count: centred ? range.count : 0)
            if centred {
                Parallelism.forEach(count: range.count, threads: max(1, workers)) { i in
                    let image = images[range.lowerBound + i]
                    measured.set(i, SourceExtractor.extract(image))
                } monitor: {}
            }
            let extractions = centred ? measured.values : [SourceExtraction?](repeating: nil, count: range.count)
            let warped = ResultSlots<(view0: [Float], view45: [Float])>(count: range.count * k)
            Parallelism.forEach(count: range.count * k, threads: max(1, workers)) { task in
                let (i, t) = task.quotientAndRemainder(dividingBy: k), image = images[range.lowerBound + i]
                warped.set(task, AffineWarp.views(image, transforms[t].centred(on: extractions[i]), cutout: cutout))
            } monitor: {}
            let slots = ResultSlots<(view0: [Float], view45: [Float], extraction: SourceExtraction?)>(count: range.count)
            for i in 0..<range.count {
                let pairs = warped.values[(i * k)..<((i + 1) * k)].map { $0! }
                slots.set(i, (pairs.flatMap(\.view0), pairs.flatMap(\.view45), extractions[i]))
            }
            let views = slots.values.map { $0! }
            for g in stride(from: 0, to: views.count, by: perPass) {
                let group = views[g..<min(g + perPass, views.count)]
                let (out, alpha, hidden) = group.count == 1 ? model.outputs(view0: group.first!.view0, view45: group.first!.view45, keeping: embeddingLayer)
                    : model.outputs(view0: group.flatMap(\.view0), view45: group.flatMap(\.view45), keeping: embeddingLayer)
                let units = (hidden?.count ?? 0) / (group.count * k)
                for (i, v) in group.enumerated() {
                    var p = Self.summary(answers: out[(i * k * n)..<((i + 1) * k * n)], concentrations: alpha?[(i * k * n)..<((i + 1) * k * n)],
                                         hidden: hidden?[(i * k * units)..<((i + 1) * k * units)], views: k, width: n)
                    p.extraction = v.extraction
                    predictions.append(p)
                }
            }
        }
        return predictions
    }
}
