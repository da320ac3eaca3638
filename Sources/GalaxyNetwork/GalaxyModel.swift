import Foundation
import GalaxyTensor
import GalaxyImaging
import GalaxyAutodiff
import GalaxyLayers
import GalaxyZoo

/// The Galaxy Zoo convnet of original-solution-spec.md §4, built from a `ModelConfiguration`: one convolution stack
/// shared by the 16 parts, optional per-part dense layers, the merge of the parts' features,
/// dense (maxout or ReLU) layers with dropout before each, one output per answer of the configuration's tree
/// (37 for gz2) and the decision-tree layer.
public struct GalaxyModel: Layer {
    public let configuration: ModelConfiguration
    public var convolutions: [Conv2D]
    public var partDense: [Dense]
    public var dense: [Dense]
    public var output: Dense
    public var decisionTree: DecisionTreeOutput

    public init(_ c: ModelConfiguration, generator: inout SeededGenerator, backend: any Backend) {
        configuration = c
        var shape = [c.cutout.bands, Parts.partSize, Parts.partSize]
        var convs: [Conv2D] = []
        for (i, spec) in c.convolutions.enumerated() {
            let conv = Conv2D("conv\(i + 1)", inputShape: shape, filters: spec.filters, kernel: (spec.kernel, spec.kernel),
                              biasMode: c.untiedBiases ? .untied : .tied, activation: .relu,
                              initialization: spec.initialization, generator: &generator, backend: backend)
            convs.append(conv)
            shape = spec.poolAfter ? MaxPool2D(window: 2, stride: 2).outputShape(for: conv.outputShape) : conv.outputShape
        }
        convolutions = convs
        var features = shape.reduce(1, *)
        partDense = c.partDense.enumerated().map { i, spec in
            defer { features = spec.outputs }
            return Dense("part_dense\(i + 1)", inputs: features, outputs: spec.units, initialization: spec.initialization,
                         generator: &generator, backend: backend)
        }
        features *= Parts.count
        dense = c.dense.enumerated().map { i, spec in
            defer { features = spec.outputs }
            return Dense("dense\(i + 1)", inputs: features, outputs: spec.units, initialization: spec.initialization,
                         generator: &generator, backend: backend)
        }
        output = Dense("output", inputs: features, outputs: c.tree.outputCount, initialization: c.output,
                       generator: &generator, backend: backend)
        decisionTree = DecisionTreeOutput(tree: c.tree)
    }

    public var parameterPaths: [ParameterPath<GalaxyModel>] {
        nested("conv", \.convolutions) + nested("part_dense", \.partDense) + nested("dense", \.dense) + nested("output", \.output)
    }

    /// What one forward pass computes: the raw scores before the tree (the dead-answer penalty
    /// reads them) and the answers that obey it.
    public struct Forward {
        public var scores: Variable
        public var answers: Variable
        /// Dirichlet concentrations per answer, for a model trained on vote counts; nil otherwise.
        public var concentrations: Variable?
        /// The activations of the hidden layer the caller asked to keep ([B, units]), else nil.
        public var hidden: Variable?
    }

    /// The hidden layers whose activations describe an image, in order: `features` (the 16
    /// parts' merged convolution features), each `part_denseN` and each `denseN` after its
    /// nonlinearity (merged over the parts for part layers). The last is what the output layer reads.
    public var hiddenLayerNames: [String] {
        ["features"] + partDense.indices.map { "part_dense\($0 + 1)" } + dense.indices.map { "dense\($0 + 1)" }
    }

    /// Units of a hidden layer (`hiddenLayerNames`), the length of its activation vector per image.
    public func hiddenUnits(_ name: String) -> Int? {
        let c = configuration
        if name == "features" { return (partDense.first ?? dense.first ?? output).weight.shape[0] * (partDense.isEmpty ? 1 : Parts.count) }
        if let i = Self.layerIndex(name, prefix: "part_dense"), c.partDense.indices.contains(i) { return c.partDense[i].outputs * Parts.count }
        if let i = Self.layerIndex(name, prefix: "dense"), c.dense.indices.contains(i) { return c.dense[i].outputs }
        return nil
    }

    static func layerIndex(_ name: String, prefix: String) -> Int? {
        name.hasPrefix(prefix) ? Int(name.dropFirst(prefix.count)).map { $0 - 1 } : nil
    }

    /// Concentrations in [1, 100] from raw scores (see `ModelConfiguration.Loss.dirichletMultinomial`).
    public static func concentrations(_ scores: Variable) -> Variable { scores.sigmoid() * 99 + 1 }

    /// Output biases that start a model of concentrations at `fractions` (Kaggle-sense label
    /// means): within each question α ∝ the mean share, the likeliest answer at α = 10, none below 2
    /// (near α = 1 the sigmoid saturates: an answer started there would hardly move).
    public static func concentrationBiases(startingAt fractions: [Float], tree: DecisionTree) -> [Float] {
        let shares = tree.withinQuestion(fractions)
        var alpha = [Float](repeating: 2, count: shares.count)
        for q in tree.questions {
            let top = q.columns.map { shares[$0] }.max() ?? 0
            for c in q.columns where top > 0 { alpha[c] = max(2, 10 * shares[c] / top) }
        }
        return alpha.map { a in let p = (a - 1) / 99; return log(p / (1 - p)) }
    }

    /// Where a forward pass has got to, for a caller that times its stages (`bench train`).
    public enum Stage: Sendable { case convolutionsDone, denseDone }

    /// [16·B, 3, 45, 45] parts (from `Parts.stack`) → raw scores and answers. `observe` is called
    /// after each stage, whose output is then computed (both are plain already, so nothing is
    /// forced that would not be anyway): a profiler can split the time.
    /// `keeping` names a hidden layer (`hiddenLayerNames`) whose activations the result carries.
    public func forward(_ parts: Variable, _ context: inout ForwardContext, keeping layer: String? = nil,
                        observe: (Stage) -> Void = { _ in }) -> Forward {
        let features = convolutionStack(parts, &context)
        _ = features.value.plain
        observe(.convolutionsDone)
        let (scores, hidden) = denseStack(features, &context, keeping: layer)
        observe(.denseDone)
        guard configuration.objective == .dirichletMultinomial else {
            return Forward(scores: scores, answers: decisionTree(scores, &context), hidden: hidden)
        }
        // The expected fractions: each question's α over their sum, scaled down the tree as the output layer scales fractions.
        var alpha = Self.concentrations(scores)
        let answers = DecisionTreeOutput(tree: configuration.tree)(alpha, &context)
        if let scales = configuration.concentrationScales, !context.training {
            let perAnswer = configuration.tree.answers.map { scales[$0.question - 1] }
            alpha = alpha * Variable(Tensor(shape: [perAnswer.count], scalars: perAnswer, backend: backend))
        }
        return Forward(scores: scores, answers: answers, concentrations: alpha, hidden: hidden)
    }

    /// [16·B, 3, 45, 45] parts → [B, answers] answers obeying the decision tree.
    public func callAsFunction(_ parts: Variable, _ context: inout ForwardContext) -> Variable {
        forward(parts, &context).answers
    }

    /// The output layer's mode: `.warmUp` (clipped scores) for the first updates of a run, then `.normalised`.
    public var outputMode: DecisionTreeOutput.Mode {
        get { decisionTree.mode }
        set { decisionTree.mode = newValue }
    }

    /// The backend the parameters live on.
    public var backend: any Backend { output.weight.value.backend }

    /// The shared convolution stack: [16·B, 3, 45, 45] → [16·B, features].
    func convolutionStack(_ parts: Variable, _ context: inout ForwardContext) -> Variable {
        var x = parts
        let pool = MaxPool2D(window: 2, stride: 2)
        for (conv, spec) in zip(convolutions, configuration.convolutions) {
            x = conv(x, &context)
            if spec.poolAfter { x = pool(x, &context) }
        }
        return Flatten()(x, &context)
    }

    /// Per-part dense layers, the merge, dense layers and the raw outputs (before the tree), and
    /// the activations per image of the hidden layer named `layer` (merged over the parts only then).
    func denseStack(_ perPart: Variable, _ context: inout ForwardContext, keeping layer: String? = nil) -> (scores: Variable, hidden: Variable?) {
        var x = perPart, kept: Variable?
        let dropout = Dropout(rate: configuration.dropout), merge = MergeParts()
        func keep(_ name: String, merging: Bool) { if name == layer { kept = merging ? merge(x, &context) : x } }
        keep("features", merging: true)
        for (i, (layer, spec)) in zip(partDense, configuration.partDense).enumerated() {
            x = Self.activate(layer(dropout(x, &context), &context), spec, &context)
            keep("part_dense\(i + 1)", merging: true)
        }
        x = merge(x, &context)
        for (i, (layer, spec)) in zip(dense, configuration.dense).enumerated() {
            x = Self.activate(layer(dropout(x, &context), &context), spec, &context)
            keep("dense\(i + 1)", merging: false)
        }
        return (output(dropout(x, &context), &context), kept)
    }

    /// The nonlinearity after a dense layer: maxout over pairs, or ReLU.
    static func activate(_ x: Variable, _ spec: ModelConfiguration.DenseLayer, _ context: inout ForwardContext) -> Variable {
        spec.activation == .maxout ? Maxout(groupSize: 2)(x, &context) : ReLU()(x, &context)
    }

    /// Applies each dense layer's max-norm limit: every unit's incoming weights (a column of
    /// [in, out]) are scaled by min(limit / RMS, 1).
    public mutating func applyMaxNorm() {
        for (i, spec) in configuration.dense.enumerated() {
            guard let limit = spec.maxNorm else { continue }
            let backend = dense[i].weight.value.backend
            backend.maxNormColumns(&dense[i].weight.value, limit: limit)
        }
    }
}

/// The feature-merging layer of original-solution-spec.md §4.1: the 16 part blocks of a batch, (16·B, F) with row
/// j·B + b for part j of image b, become (B, 16·F) with feature index j·F + f, so each image's
/// dense layers see its 16 parts side by side in the order `Parts.stack` made them.
public struct MergeParts: Layer {
    public init() {}

    public func callAsFunction(_ x: Variable, _ context: inout ForwardContext) -> Variable {
        require(x.shape.count == 2, "MergeParts: expected [16·B, features], got \(x.shape)")
        let batch = x.shape[0] / Parts.count
        require(batch * Parts.count == x.shape[0], "MergeParts: \(x.shape[0]) rows are not 16 blocks")
        return x.reshaped([Parts.count, batch, x.shape[1]]).permuted([1, 0, 2]).reshaped([batch, Parts.count * x.shape[1]])
    }
}
