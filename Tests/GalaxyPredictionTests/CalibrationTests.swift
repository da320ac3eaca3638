import Foundation
import Testing
import GalaxyCore
import GalaxyZoo
import GalaxyPrediction
import TestSupport

/// Predictive distributions of votes and the calibration report built on them.
@Suite("Vote uncertainty")
struct CalibrationTests {
    static let tree = try! DecisionTree.read(Data(#"""
        {"name": "t", "summary": "", "columns": "catalogue", "questions": [
          {"name": "shape", "text": "", "answers": [{"name": "round", "text": "", "next": "size"}, {"name": "odd", "text": ""}]},
          {"name": "size", "text": "", "dependsOn": "shape_round", "answers": [{"name": "small", "text": ""}, {"name": "mid", "text": ""}, {"name": "large", "text": ""}]}]}
        """#.utf8), source: "t")

    /// Against SciPy's beta-binomial and beta quantiles (one view), and a two-view mixture against their average.
    @Test func predictiveAgreesWithSciPy() throws {
        guard TestSupport.pythonHas("scipy.stats") else { print("skipped: SciPy is not installed (python3 -m pip install scipy)"); return }
        let alpha: [Float] = [3, 7, 2, 5, 1.5]
        let p = VotePredictive(tree: Self.tree, concentrations: alpha)
        let answer = Self.tree.answers[3]  // size_mid: Beta(5, 3.5)
        let pmf = p.countProbabilities(answer, volunteers: 12)
        let interval = p.fractionInterval(answer)
        let out = try TestSupport.python("""
            from scipy.stats import betabinom, beta
            print(' '.join(repr(float(betabinom.pmf(k, 12, 5, 3.5))) for k in range(13)))
            print(repr(float(beta.ppf(0.05, 5, 3.5))), repr(float(beta.ppf(0.95, 5, 3.5))))
            """).split(separator: "\n")
        let expected = out[0].split(separator: " ").compactMap { Double($0) }, quantiles = out[1].split(separator: " ").compactMap { Double($0) }
        for (mine, theirs) in zip(pmf, expected) { #expect(abs(mine - theirs) < 1e-12) }
        #expect(abs(Double(interval.lower) - quantiles[0]) < 1e-3 && abs(Double(interval.upper) - quantiles[1]) < 1e-3, "\(interval) vs \(quantiles)")
        #expect(abs(p.expectedWithinQuestion[3] - 5 / 8.5) < 1e-6)
        // Two views: the mixture's probabilities are the views' average.
        let other: [Float] = [3, 7, 6, 1, 1.5]
        let mixed = VotePredictive(tree: Self.tree, concentrations: alpha + other).countProbabilities(answer, volunteers: 12)
        let second = VotePredictive(tree: Self.tree, concentrations: other).countProbabilities(answer, volunteers: 12)
        for k in 0...12 { #expect(abs(mixed[k] - (pmf[k] + second[k]) / 2) < 1e-15) }
        // Proportion asked: "size" is asked of the round ones, 3/10 of everyone expected.
        #expect(abs(p.proportionAsked[1] - 0.3) < 1e-6 && p.proportionAsked[0] == 1)
    }

    /// A Gamma(shape ≥ 1) draw (Marsaglia & Tsang 2000).
    static func gamma(shape: Double, _ g: inout SeededGenerator) -> Double {
        let d = shape - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            let x = Double(g.nextNormal()), v = pow(1 + c * x, 3)
            guard v > 0 else { continue }
            if log(Double(g.nextUniform()) + 1e-300) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    /// Votes drawn from the very distribution the "model" states are covered 90 % of the time at
    /// every number of volunteers; a model twice as sure covers less; the MSE-style spread of 0
    /// covers almost nothing.
    @Test func calibratedPredictionsCoverNinetyPercent() {
        var g = SeededGenerator(seed: 5)
        let n = 1500, tree = Self.tree
        var predictions: [Prediction] = [], sure: [Prediction] = [], counts: [Float] = []
        for _ in 0..<n {
            let alpha = (0..<5).map { _ in 1 + 9 * g.nextUniform() }
            let volunteers = 5 + Int(g.next() % 36)
            // Draw from the Dirichlet-multinomial: p ~ Dirichlet(α) per question (gamma draws), then votes.
            var row = [Float](repeating: 0, count: 5)
            var asked = volunteers
            for q in tree.questions {
                let gammas = q.columns.map { Self.gamma(shape: Double(alpha[$0]), &g) }
                let total = gammas.reduce(0, +), people = asked
                for _ in 0..<people {
                    var u = Double(g.nextUniform()) * total, pick = q.columns.upperBound - 1
                    for (i, c) in q.columns.enumerated() { if u < gammas[i] { pick = c; break }; u -= gammas[i] }
                    row[pick] += 1
                }
                asked = Int(row[0])  // "size" is asked of those who answered "round"
            }
            counts += row
            let fractions = tree.kaggleSense(fromWithinQuestion: tree.questions.flatMap { q in q.columns.map { alpha[$0] / q.columns.reduce(0) { $0 + alpha[$1] } } })
            predictions.append(Prediction(answers: fractions, spread: [Float](repeating: 0, count: 5), concentrations: alpha))
            sure.append(Prediction(answers: fractions, spread: [Float](repeating: 0, count: 5), concentrations: alpha.map { $0 * 4 }))
        }
        let votes = VoteCounts(ids: Array(0..<n), counts: counts, tree: tree)
        let calibrated = Calibration(model: "true", predictions: predictions, votes: votes)
        for q in calibrated.questions { #expect(abs(q.coverage90 - 0.9) < 0.02, "\(q.name): \(q.coverage90)") }
        for (level, observed) in zip(Calibration.levels, calibrated.reliability) { #expect(abs(observed - level) < 0.02, "\(level): \(observed)") }
        let widths = calibrated.questions[0].widthByVolunteers
        #expect(widths == widths.sorted(by: >), "interval width falls with volunteers: \(widths)")
        let overconfident = Calibration(model: "sure", predictions: sure, votes: votes)
        #expect(overconfident.questions[0].coverage90 < 0.85)
        let spreadOnly = Calibration(model: "mse", predictions: predictions.map { Prediction(answers: $0.answers, spread: $0.spread) }, votes: votes)
        #expect(spreadOnly.questions[0].coverage90 < 0.2)
        #expect(abs(spreadOnly.volunteerWeightedRMSE - calibrated.volunteerWeightedRMSE) < 1e-9)
        // A model four times too sure is put right by the fitted scales (about 1/4 per question).
        let scales = VotePredictive.fittedScales(sure.map { $0.predictive(tree: tree)! }, votes: votes)
        for s in scales { #expect(abs(s - 0.25) < 0.05, "fitted scales \(scales)") }
        let rescaled = sure.map { p in
            Prediction(answers: p.answers, spread: p.spread, concentrations: p.concentrations!.enumerated().map { $1 * scales[tree.answers[$0 % 5].question - 1] })
        }
        for q in Calibration(model: "rescaled", predictions: rescaled, votes: votes).questions { #expect(abs(q.coverage90 - 0.9) < 0.02) }
    }
}
