import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyImaging
import GalaxyZoo

extension GalaxyModel {
    /// Images per forward pass at inference: all 60 test-time views of an image in one pass, so
    /// the dense layers stream (and OpenBLAS packs) their weights once per image, not four times:
    /// 60-way prediction of the best model 1.09× faster than at the training batch of 16 (Winograd on).
    public static let inferenceBatch = 64

    /// The answers for n view pairs given as flat planes (n·bands·69·69 floats each), [n × answers]
    /// row-major, evaluated `inferenceBatch` images at a time in the model's current output mode.
    /// Dropout is off; call it on a `detached()` model so that no graph is recorded. The
    /// predictor (averaging over test-time transforms) and the trainer's validator both use it.
    public func answers(view0: [Float], view45: [Float]) -> [Float] { outputs(view0: view0, view45: view45).answers }

    /// The answers and, for a model of vote counts, the Dirichlet concentrations, [n × answers] each;
    /// with `layer`, also that hidden layer's activations, [n × units].
    public func outputs(view0: [Float], view45: [Float], keeping layer: String? = nil) -> (answers: [Float], concentrations: [Float]?, hidden: [Float]?) {
        let bands = configuration.cutout.bands, perView = configuration.cutout.viewFloats
        require(view0.count % perView == 0 && view0.count == view45.count,
                "GalaxyModel.answers: \(view0.count) and \(view45.count) floats are not n views of \(bands)×69×69")
        let count = view0.count / perView, width = configuration.tree.outputCount
        var out: [Float] = [], alpha: [Float]? = configuration.objective == .dirichletMultinomial ? [] : nil, hidden: [Float]? = layer.map { _ in [] }
        out.reserveCapacity(count * width)
        var context = ForwardContext.inference
        for first in stride(from: 0, to: count, by: Self.inferenceBatch) {
            let range = (first * perView)..<(min(first + Self.inferenceBatch, count) * perView)
            let parts = Parts.stack(view0: Array(view0[range]), view45: Array(view45[range]), bands: bands, backend: backend)
            let forward = forward(Variable(parts), &context, keeping: layer)
            out += forward.answers.value.scalars
            if let a = forward.concentrations { alpha! += a.value.scalars }
            if let h = forward.hidden { hidden! += h.value.scalars }
        }
        return (out, alpha, hidden)
    }
}
