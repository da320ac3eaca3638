import Foundation
import Testing
import GalaxyTensor
import GalaxyKernels
import GalaxyAutodiff
import GalaxyLayers
import GalaxyZoo
import GalaxyNetwork
import TestSupport

@Suite("Output constraint layer")
struct DecisionTreeOutputTests {
    @Test func handComputedVector() {
        // Q1 scores (2, 6, −1) → (0.25, 0.75, 0); Q2 (1, 3) → (0.25, 0.75)·A1.2 = (0.1875, 0.5625);
        // Q3 all negative → 0; Q7 (1, 1, 2) → (0.25, 0.25, 0.5)·A1.1 = (0.0625, 0.0625, 0.125).
        var z = [Float](repeating: 1, count: 37)
        z[0] = 2; z[1] = 6; z[2] = -1
        z[3] = 1; z[4] = 3
        z[5] = -1; z[6] = -2
        z[15] = 1; z[16] = 1; z[17] = 2
        var context = ForwardContext.inference
        let y = DecisionTreeOutput(tree: .gz2)(Variable(Tensor(shape: [1, 37], scalars: z)), &context).value.scalars
        func close(_ a: Float, _ b: Float) -> Bool { abs(a - b) < 1e-6 }
        #expect(close(y[0], 0.25) && close(y[1], 0.75) && y[2] == 0)
        #expect(close(y[3], 0.1875) && close(y[4], 0.5625))
        #expect(y[5] == 0 && y[6] == 0)
        #expect(close(y[15], 0.0625) && close(y[16], 0.0625) && close(y[17], 0.125))
        // Q4 (1, 1) scaled by A2.2 = 0.5625; Q10 scaled by A4.1 = 0.28125.
        #expect(close(y[7], 0.28125) && close(y[28], 0.28125 / 3))
        // The output obeys the tree wherever its parent is non-zero.
        let table = GalaxyTable(ids: [1], values: y)
        #expect(LabelCheck.violations(in: table).allSatisfy { $0.question == 3 || $0.question == 4 || $0.question == 5 || $0.question == 10 || $0.question == 11 } )
    }

    @Test func randomScoresAlwaysObeyTheTree() {
        var g = SeededGenerator(seed: 3)
        let z = Tensor.randomNormal(shape: [64, 37], mean: 0.5, standardDeviation: 1, generator: &g)
        var context = ForwardContext.inference
        let y = DecisionTreeOutput(tree: .gz2)(Variable(z), &context).value
        let violations = LabelCheck.violations(in: GalaxyTable(ids: Array(0..<64), values: y.scalars))
        // A question whose answers were all ≤ 0 outputs zeros while its parent may not be zero:
        // that is the specified behaviour; everything else must obey.
        for v in violations { #expect(v.sum == 0, "row \(v.galaxyID) Q\(v.question) sums to \(v.sum), parent \(v.required)") }
    }

    @Test func warmUpClips() {
        let z = Tensor(shape: [1, 37], scalars: (0..<37).map { Float($0) / 18 - 1 })
        var context = ForwardContext.inference
        let y = DecisionTreeOutput(tree: .gz2, mode: .warmUp)(Variable(z), &context).value.scalars
        #expect(y == z.scalars.map { min(max($0, 0), 1) })
    }

    @Test(arguments: TestSupport.backends)
    func gradientThroughNormalisationAndScaling(backend: any Backend) {
        // Scores away from 0 so the ReLU kinks are not crossed by the finite difference.
        var g = SeededGenerator(seed: 4)
        let values = (0..<74).map { _ in (g.nextUniform() < 0.2 ? -1 : 1) * (0.2 + g.nextUniform()) }
        let z = Tensor(shape: [2, 37], scalars: values, backend: backend)
        let errors = GradientCheck.relativeErrors(inputs: [z], epsilon: 1e-3) { v in
            var context = ForwardContext.inference
            return DecisionTreeOutput(tree: .gz2)(v[0], &context)
        }
        #expect(errors[0] < 2e-2, "relative error \(errors[0]) on \(backend.name)")
    }

    @Test func deadAnswerPenaltyCountsOnlyVotedAnswersBelowZero() {
        var scores = [Float](repeating: 0.3, count: 74), targets = [Float](repeating: 0, count: 74)
        scores[0] = -0.5; targets[0] = 0.2    // voted and dead: counts 0.5
        scores[1] = -2; targets[1] = 0        // dead but nobody voted: the MSE wants it at 0
        scores[40] = -0.25; targets[40] = 1   // row 1, voted and dead: counts 0.25
        scores[41] = 0.1; targets[41] = 0.7   // voted and alive: counts nothing
        let penalty = DecisionTreeOutput.deadAnswerPenalty(scores: Variable(Tensor(shape: [2, 37], scalars: scores)),
                                                           targets: Tensor(shape: [2, 37], scalars: targets))
        #expect(abs(penalty.value.scalar - 0.75 / 74) < 1e-7)
    }

    @Test(arguments: TestSupport.backends)
    func deadAnswerPenaltyGradient(backend: any Backend) {
        var g = SeededGenerator(seed: 5)
        let values = (0..<74).map { _ in (g.nextUniform() < 0.5 ? -1 : 1) * (0.2 + g.nextUniform()) }
        let targets = Tensor(shape: [2, 37], scalars: (0..<74).map { _ in g.nextUniform() < 0.5 ? 0 : g.nextUniform() }, backend: backend)
        let errors = GradientCheck.relativeErrors(inputs: [Tensor(shape: [2, 37], scalars: values, backend: backend)], epsilon: 1e-3) { v in
            DecisionTreeOutput.deadAnswerPenalty(scores: v[0], targets: targets)
        }
        #expect(errors[0] < 1e-2, "relative error \(errors[0]) on \(backend.name)")
    }
}
