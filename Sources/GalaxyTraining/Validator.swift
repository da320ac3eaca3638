import Foundation
import GalaxyCore
import GalaxyImaging
import GalaxyNetwork
import GalaxyZoo

/// Validation RMSE of a model on held-out images: each decoded and warped once, un-augmented
/// (centred on its source extraction for centred models), scored through the model's batched
/// inference (`GalaxyModel.answers`, as the predictor uses) and `Evaluation`.
public struct Validator: Sendable {
    let view0: [Float], view45: [Float]
    /// The held-out vote fractions, n × answers.
    public let truth: [Float]
    /// The tree the fractions answer.
    public let tree: DecisionTree
    public var count: Int { truth.count / tree.outputCount }

    /// Decodes `paths` (cutouts of `cutout`'s format) on `workers` threads under `transforms` (one per image).
    public init(paths: [String], transforms: [ViewTransform], truth: [Float], tree: DecisionTree, cutout: CutoutFormat = .sdss, workers: Int) throws {
        require(paths.count == transforms.count && truth.count == paths.count * tree.outputCount,
                "Validator: \(paths.count) images, \(transforms.count) transforms, \(truth.count) true values")
        let slots = ResultSlots<Result<(view0: [Float], view45: [Float]), Error>>(count: paths.count)
        Parallelism.forEach(count: paths.count, threads: max(1, workers)) { i in
            slots.set(i, Result { AffineWarp.views(try ImageSource.read(paths[i], cutout: cutout), transforms[i], cutout: cutout) })
        } monitor: {}
        let views = try slots.values.map { try $0!.get() }
        view0 = views.flatMap(\.view0)
        view45 = views.flatMap(\.view45)
        self.truth = truth
        self.tree = tree
    }

    /// √(mean squared error) over the held-out answers with dropout off, in the model's current
    /// output mode; nil without held-out images.
    public func rmse(of model: GalaxyModel) -> Double? {
        guard count > 0 else { return nil }
        return Evaluation(predictions: model.detached().answers(view0: view0, view45: view45), truth: truth, tree: tree).rmse
    }
}
