import Foundation
import GalaxyCore

/// What a network of Dirichlet concentrations says about one galaxy's votes.
///
/// Each test-time view gives concentrations α per answer; within a question the fraction p of
/// volunteers choosing answer i is Beta(α_i, A − α_i) distributed (A = Σ α over the question), and
/// k of n volunteers choosing it is Beta-binomial(n, α_i, A − α_i). Views are combined as an
/// equal mixture: their densities (and probabilities of k) are averaged, so an interval widens
/// where the views disagree as well as where each view is unsure.
public struct VotePredictive: Sendable {
    public let tree: DecisionTree
    /// views × answers concentrations, row-major.
    public let concentrations: [Float]
    public var views: Int { concentrations.count / tree.outputCount }

    public init(tree: DecisionTree, concentrations: [Float]) {
        require(!concentrations.isEmpty && concentrations.count % tree.outputCount == 0,
                "VotePredictive: \(concentrations.count) concentrations for \(tree.outputCount) answers")
        self.tree = tree
        self.concentrations = concentrations
    }

    /// (α_i, A − α_i) of `answer` in each view.
    func betaParameters(_ answer: DecisionTree.Answer) -> [(Double, Double)] {
        let q = tree.questions[answer.question - 1], w = tree.outputCount
        return (0..<views).map { v in
            let a = Double(concentrations[v * w + answer.column]), total = q.columns.reduce(0.0) { $0 + Double(concentrations[v * w + $1]) }
            return (a, total - a)
        }
    }

    /// The expected within-question fraction of each answer (mean over views of α_i / A).
    public var expectedWithinQuestion: [Float] {
        tree.answers.map { answer in
            let p = betaParameters(answer)
            return Float(p.reduce(0.0) { $0 + $1.0 / ($1.0 + $1.1) } / Double(p.count))
        }
    }

    /// The expected share of all volunteers who would be asked each question: 1 at the top,
    /// else the expected fraction of the answer it depends on times that question's share.
    public var proportionAsked: [Float] {
        let kaggle = tree.kaggleSense(fromWithinQuestion: expectedWithinQuestion)
        return tree.questions.map { q in q.parent.map { kaggle[$0.column] } ?? 1 }
    }

    /// The central `level` credible interval of the within-question fraction (the views' Beta
    /// densities averaged on a 1001-point grid, trapezoid CDF, quantiles interpolated: about 1e-3).
    public func fractionInterval(_ answer: DecisionTree.Answer, level: Double = 0.9) -> (lower: Float, upper: Float) {
        let parameters = betaParameters(answer), n = Self.grid.count - 1
        let lg = SpecialFunctions.logGamma
        var density = [Double](repeating: 0, count: n + 1)
        for (a, b) in parameters {
            let norm = lg(a + b) - lg(a) - lg(b)
            for j in 0...n { density[j] += exp(norm + (a - 1) * Self.grid[j].logX + (b - 1) * Self.grid[j].log1mX) }
        }
        var cdf = [Double](repeating: 0, count: n + 1)
        for j in 1...n { cdf[j] = cdf[j - 1] + (density[j - 1] + density[j]) / 2 }
        let total = cdf[n]
        func quantile(_ q: Double) -> Float {
            let target = q * total
            guard let j = cdf.firstIndex(where: { $0 >= target }), j > 0 else { return 0 }
            let t = (target - cdf[j - 1]) / max(cdf[j] - cdf[j - 1], 1e-300)
            return Float((Double(j - 1) + t) / Double(n))
        }
        return (quantile((1 - level) / 2), quantile((1 + level) / 2))
    }

    /// log x and log(1 − x) on the grid of `fractionInterval` (ends pulled in by 1e-12).
    static let grid: [(logX: Double, log1mX: Double)] = (0...1000).map { j in
        let x = min(max(Double(j) / 1000, 1e-12), 1 - 1e-12)
        return (log(x), log(1 - x))
    }

    /// P(k of `volunteers` choose `answer`), k = 0 … volunteers, averaged over the views.
    public func countProbabilities(_ answer: DecisionTree.Answer, volunteers n: Int) -> [Double] {
        var p = [Double](repeating: 0, count: n + 1)
        let lg = SpecialFunctions.logGamma
        for (a, b) in betaParameters(answer) {
            let base = lg(Double(n) + 1) + lg(a + b) - lg(a) - lg(b) - lg(Double(n) + a + b)
            for k in 0...n {
                let x = Double(k)
                p[k] += exp(base - lg(x + 1) - lg(Double(n) - x + 1) + lg(x + a) + lg(Double(n) - x + b))
            }
        }
        return p.map { $0 / Double(views) }
    }

    /// The central `level` interval of the fraction k / n that `volunteers` volunteers would give:
    /// the smallest k whose cumulative probability reaches (1 − level)/2, and the largest …
    public func countInterval(_ answer: DecisionTree.Answer, volunteers n: Int, level: Double = 0.9) -> (lower: Int, upper: Int) {
        let p = countProbabilities(answer, volunteers: n)
        var cumulative = 0.0, lower = 0, upper = n
        var foundLower = false
        for k in 0...n {
            cumulative += p[k]
            if !foundLower && cumulative >= (1 - level) / 2 { lower = k; foundLower = true }
            if cumulative >= (1 + level) / 2 { upper = k; break }
        }
        return (lower, upper)
    }

    /// The randomised probability integral transform of `votes` of `volunteers` (Czado, Gneiting
    /// & Held 2009): F(k − 1) + u · P(k) for a uniform u. Uniform on [0, 1] when the model is
    /// calibrated, so the share of galaxies with it inside [(1 − L)/2, (1 + L)/2] is the coverage
    /// of a central L interval, free of the steps a discrete count puts in a plain interval.
    public func randomisedPIT(_ answer: DecisionTree.Answer, votes k: Int, volunteers n: Int, uniform u: Double) -> Double {
        let p = countProbabilities(answer, volunteers: n)
        return p[..<k].reduce(0, +) + u * p[k]
    }
}

extension VotePredictive {
    /// log P(k | n) of one question's counts under the views' Dirichlet-multinomials, mixed, with
    /// every α of the question multiplied by `scale`.
    func logLikelihood(_ q: DecisionTree.Question, counts k: [Double], scale: Double) -> Double {
        let lg = SpecialFunctions.logGamma, w = tree.outputCount, n = k.reduce(0, +)
        let terms = (0..<views).map { v -> Double in
            let alpha = q.columns.map { scale * Double(concentrations[v * w + $0]) }, total = alpha.reduce(0, +)
            var logP = lg(n + 1) + lg(total) - lg(n + total)
            for (a, c) in zip(alpha, k) { logP += lg(c + a) - lg(a) - lg(c + 1) }
            return logP
        }
        let top = terms.max()!
        return top + log(terms.reduce(0) { $0 + exp($1 - top) } / Double(views))
    }

    /// Per question, the factor on its concentrations that maximises the likelihood of held-out
    /// counts (a golden-section search over log s in [−3, 3]); questions nobody was asked keep 1.
    public static func fittedScales(_ predictives: [VotePredictive], votes: VoteCounts) -> [Float] {
        let tree = votes.tree
        return tree.questions.map { q in
            let rows = (0..<votes.count).filter { votes.total($0, q) > 0 }
            guard !rows.isEmpty else { return 1 }
            func total(_ logScale: Double) -> Double {
                rows.reduce(0.0) { sum, r in
                    sum + predictives[r].logLikelihood(q, counts: q.columns.map { Double(votes.counts[r * tree.outputCount + $0]) }, scale: exp(logScale))
                }
            }
            // Each step keeps one of its two inner points and its value: one new evaluation per step.
            let ratio = (5.0.squareRoot() - 1) / 2
            var (lo, hi) = (-3.0, 3.0)
            var (a, b) = (hi - ratio * (hi - lo), lo + ratio * (hi - lo))
            var (fa, fb) = (total(a), total(b))
            for _ in 0..<40 {
                if fa > fb {
                    (hi, b, fb) = (b, a, fa)
                    a = hi - ratio * (hi - lo); fa = total(a)
                } else {
                    (lo, a, fa) = (a, b, fb)
                    b = lo + ratio * (hi - lo); fb = total(b)
                }
            }
            return Float(exp((lo + hi) / 2))
        }
    }
}
