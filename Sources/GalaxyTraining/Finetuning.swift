import Foundation
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyNetwork
import GalaxyModels

/// Finetuning a trained network on a new task (`FinetuneTask`): the same layers with a new
/// output layer for the task's tree, the trunk's weights copied from the trained model, and the
/// trunk frozen below the last `unfreeze` blocks (0: the linear probe, only the new head
/// learns), each trained block below the top slowed by `layerDecay` per block.
public enum Finetuning {
    /// The trained model's configuration answering the task's tree (the vote objective for counts).
    public static func configuration(from source: ModelConfiguration, task: FinetuneTask) -> ModelConfiguration {
        var c = source
        c.tree = task.tree
        c.loss = task.kind == .votes ? .dirichletMultinomial : nil
        c.concentrationScales = nil
        return c
    }

    /// The blocks of a model, bottom to top: their names (conv1, …, dense1, as `embed --layer`
    /// and the model's description name them) and their parameters' layer (`conv.0`, …, `dense.0`).
    public static func blocks(of c: ModelConfiguration) -> [(name: String, layer: String)] {
        c.convolutions.indices.map { ("conv\($0 + 1)", "conv.\($0)") } + c.partDense.indices.map { ("part_dense\($0 + 1)", "part_dense.\($0)") }
            + c.dense.indices.map { ("dense\($0 + 1)", "dense.\($0)") }
    }

    /// Learning-rate multipliers by parameter layer: the head 1, the top `unfreeze` blocks
    /// `layerDecay`^k (k = 1 for the block under the head), every block below them 0 (frozen).
    public static func layerScales(_ c: ModelConfiguration, unfreeze: Int, layerDecay: Float) -> [String: Float] {
        var scales: [String: Float] = ["output": 1]
        for (k, block) in blocks(of: c).reversed().enumerated() { scales[block.layer] = k < unfreeze ? pow(layerDecay, Float(k + 1)) : 0 }
        return scales
    }

    /// The names of the blocks `scales` trains, bottom to top, and the head.
    public static func trained(_ c: ModelConfiguration, scales: [String: Float]) -> [String] {
        blocks(of: c).filter { (scales[$0.layer] ?? 1) > 0 }.map(\.name) + ["output"]
    }

    /// Training options for a finetune of `steps` updates: AdamW at the model's peak rate with a
    /// tenth of the run warming up and a cosine down to 1 %, output biases started at the label
    /// means, the normalised output layer from the first update (the trunk is trained already).
    public static func options(steps: Int, seed: UInt64, parameterCount: Int, scales: [String: Float], balance: Bool, patience: Int?,
                               trunk: TrainingOptions.Trunk?) -> TrainingOptions {
        var o = TrainingOptions(steps: steps, seed: seed)
        o.trunk = trunk
        o.optimizer = .adamW
        let peak = TrainingOptions.adamWPeakRate(parameterCount: parameterCount)
        o.learningRates = [peak, peak / 100]
        o.schedule = .cosine
        o.scheduleWarmUpSteps = steps / 10
        o.warmUpSteps = 0
        o.outputBias = .labelMeans
        o.layerScales = scales
        o.balanceClasses = balance ? true : nil
        o.patience = patience
        return o
    }
}

extension TrainingStep {
    /// Copies every parameter of `source` whose name and shape this model shares (the trunk; a
    /// new head is never copied), before the first update; returns the names copied.
    mutating func adopt(_ source: GalaxyModel) -> [String] {
        require(step == 0, "TrainingStep.adopt: a trunk is adopted before the first update")
        let given = Dictionary(source.namedParameters.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        var copied: [String] = []
        for path in model.parameterPaths {
            guard !path.name.hasPrefix("output."), let t = given[path.name], t.shape == model[keyPath: path.keyPath].shape else { continue }
            model[keyPath: path.keyPath] = Variable(parameter: t.on(model.backend))
            copied.append(path.name)
        }
        average = options.averageDecay.map { WeightAverage(of: model, decay: $0) }
        return copied
    }
}

extension Trainer {
    /// Starts a new run from a trained model's trunk (call before `train`, at step 0 only: a
    /// resumed finetune has its weights in the checkpoint). Returns the parameters copied.
    @discardableResult
    public func adoptTrunk(of source: GalaxyModel) -> [String] { update.adopt(source) }

    /// A finetune at step 0 (new, or started again before its first checkpoint) takes the trunk
    /// its options record, refusing a model that changed since; returns what was copied, nil
    /// when there is nothing to adopt.
    @discardableResult
    public func adoptRecordedTrunk() throws -> [String]? {
        guard step == 0, let trunk = options.trunk else { return nil }
        let folder = ModelFolder(trunk.path)
        guard try folder.fingerprint() == trunk.fingerprint else {
            throw CheckpointError(file: trunk.path, reason: "the trained model this finetune starts from has changed since it began (its weights or model.json); "
                                  + "start a new finetune with --out")
        }
        return adoptTrunk(of: try folder.loadModel(backend: update.model.backend))
    }
}
