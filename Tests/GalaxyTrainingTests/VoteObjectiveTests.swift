import Foundation
import Testing
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyZoo
import GalaxyNetwork
import GalaxyTraining
import TestSupport

/// A vote model's objective: the Dirichlet-multinomial likelihood, plus the weighted squared error
/// of its expected fractions against the votes' fractions when the run asks for it.
@Suite("The vote model's objective")
struct VoteObjectiveTests {
    @Test func theFractionTermIsTheWeightedSquaredErrorOfTheExpectedFractions() throws {
        var c = try ModelConfiguration.named("small")
        (c.tree, c.loss) = (.gzDECaLSDR5, .dirichletMultinomial)
        var (g, context) = (SeededGenerator(seed: 8), ForwardContext.inference)
        let model = GalaxyModel(c, generator: &g, backend: ReferenceBackend.shared)
        let forward = model.forward(Variable(Tensor.randomNormal(shape: [32, 3, 45, 45], standardDeviation: 0.3, generator: &g)), &context)
        // Two galaxies' counts (the fractions follow the tree whatever the counts).
        let tree = DecisionTree.gzDECaLSDR5
        let counts = (0..<(2 * 34)).map { _ in Float(g.next() % 12) }
        let labels = Tensor(shape: [2, 34], scalars: counts)
        var options = TrainingOptions(steps: 10)
        let plain = options.objective(forward, labels: labels, tree: tree)
        options.fractionWeight = 50
        let weighted = options.objective(forward, labels: labels, tree: tree)
        #expect(weighted.meanSquaredError.value.scalars == plain.meanSquaredError.value.scalars, "the reported loss stays the likelihood")
        let fractions = VoteCounts(ids: [1, 2], counts: counts, tree: tree).fractions.values
        let answers = forward.answers.value.scalars
        var squares = 0.0
        for (a, f) in zip(answers, fractions) { let d = Double(a) - Double(f); squares += d * d }
        let expected = Double(plain.objective.value.scalars[0]) + 50 * squares / Double(answers.count)
        #expect(abs(Double(weighted.objective.value.scalars[0]) - expected) < 1e-4 * expected)
        #expect(fractions.contains { $0 > 0 } && squares > 0)
    }
}
