import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyZoo

/// The output layer that makes raw scores (37 for gz2) obey the decision tree (original-solution-spec.md §4.5), written as
/// ordinary tensor code so autodiff derives its gradient, through the scale factors too.
///
/// Normalised mode: r = max(z, 0); per question q = r / (Σ_question r + 1e-12) (all answers ≤ 0
/// give all 0); then each question is multiplied by its parent answer in the tree's `scalingOrder`.
/// Warm-up mode (the first updates of training): clip(z, 0, 1), no normalisation, no scaling.
public struct DecisionTreeOutput: Layer {
    public enum Mode: String, Sendable, Codable { case normalised, warmUp }
    public var mode: Mode
    public let tree: DecisionTree
    public static let epsilon: Float = 1e-12

    public init(tree: DecisionTree, mode: Mode = .normalised) { self.tree = tree; self.mode = mode }

    public func callAsFunction(_ input: Variable, _ context: inout ForwardContext) -> Variable {
        require(input.shape.count == 2 && input.shape[1] == tree.outputCount,
                "DecisionTreeOutput: expected [N, \(tree.outputCount)] scores for tree \(tree.name), got \(input.shape)")
        if mode == .warmUp { return input.clipped(0, 1) }
        let r = input.relu()
        var answers: [Int: Variable] = [:]  // question number → its (eventually scaled) answer block
        for q in tree.questions {
            let block = r.sliced(axis: 1, q.columns)
            answers[q.number] = block / (block.sum(axes: [1], keepingDimensions: true) + Self.epsilon)
        }
        for number in tree.scalingOrder {
            let parent = tree.questions[number - 1].parent!
            let parentBlock = answers[parent.question]!
            let offset = parent.column - tree.questions[parent.question - 1].columns.lowerBound
            answers[number] = answers[number]! * parentBlock.sliced(axis: 1, offset..<(offset + 1))
        }
        return Variable.concatenate(tree.questions.map { answers[$0.number]! }, axis: 1)
    }

    /// The dead-answer penalty: mean over the [N, answers] entries of [target > 0] · max(−score, 0).
    ///
    /// Why: an answer whose raw score falls below zero outputs a hard 0 and, through the ReLU,
    /// receives no gradient, so for that image it can never come back, even when voters chose it.
    /// When every score of a question dies the whole question (and every question below it) is
    /// stuck at 0: memorising 32 fixed images, two galaxies lost all of Q7 while the crowd said
    /// 0.9 "completely round". The penalty pushes exactly those scores back above zero and is 0 whenever every
    /// answer somebody voted for is alive, so it leaves the fit the MSE asks for unchanged.
    public static func deadAnswerPenalty(scores: Variable, targets: Tensor) -> Variable {
        require(scores.shape == targets.shape, "deadAnswerPenalty: scores \(scores.shape) vs targets \(targets.shape)")
        let voted = Tensor(shape: targets.shape, scalars: targets.scalars.map { $0 > 0 ? 1 : 0 }, backend: targets.backend)
        return ((scores * -1).relu() * Variable(voted)).mean()
    }
}
