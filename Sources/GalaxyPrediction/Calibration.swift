import Foundation
import GalaxyCore
import GalaxyZoo

/// How honest a model's uncertainty is about held-out vote counts: for each question, the share of
/// realised vote fractions inside the model's central 90 % interval, the width of the interval
/// the same galaxies would have with 5, 10, 20 and 40 volunteers, the reliability curve over levels, and the volunteer-weighted RMSE of the
/// expected within-question fractions.
///
/// A model of concentrations is judged by its predictive distribution of k of n votes
/// (Beta-binomial, mixed over views) through the randomised PIT (`VotePredictive.randomisedPIT`),
/// so a calibrated model covers 90 % however few the volunteers. A model of fractions has only its
/// test-time spread σ; its interval is the expected fraction ± z·σ (Gaussian), which says how much
/// the answer moves with the view, not how volunteers scatter: the table shows what that means.
public struct Calibration: Codable, Sendable {
    public struct Question: Codable, Sendable {
        public var name: String
        /// Galaxies whose volunteers were asked it.
        public var galaxies: Int
        /// Share of (galaxy, answer) pairs whose realised fraction lies in the 90 % interval.
        public var coverage90: Double
        /// Mean width of the 90 % interval of the fraction that `widthVolunteers` volunteers would
        /// give, in fraction units, over the galaxies asked (the same galaxies at each number).
        public var widthByVolunteers: [Double]
    }

    public static let widthVolunteers = [5, 10, 20, 40]
    public static let levels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99]
    public var model: String
    public var questions: [Question]
    /// Observed coverage at each of `levels`, over every asked (galaxy, answer).
    public var reliability: [Double]
    /// √(Σ n_q Σ_i (p̂_i − k_i / n_q)² / Σ n_q · answers_q): expected within-question fractions
    /// against realised ones, each question weighted by its volunteers.
    public var volunteerWeightedRMSE: Double

    /// Scores `predictions` (rows of `votes`, in order) of the model called `model`.
    public init(model: String, predictions: [Prediction], votes: VoteCounts, seed: UInt64 = 1) {
        require(predictions.count == votes.count, "Calibration: \(predictions.count) predictions for \(votes.count) galaxies")
        let tree = votes.tree, z90 = 1.644_853_6
        var g = SeededGenerator(seed: seed, stream: 9)
        var pits: [Double] = [], squared = 0.0, weight = 0.0
        var covered = [Double](repeating: 0, count: tree.questions.count), pairs = covered
        var widths = [[Double]](repeating: [Double](repeating: 0, count: Self.widthVolunteers.count), count: tree.questions.count)
        for (row, p) in predictions.enumerated() {
            let predictive = p.predictive(tree: tree)
            let expected = predictive?.expectedWithinQuestion ?? tree.withinQuestion(p.answers)
            for q in tree.questions {
                let n = Int(votes.total(row, q))
                guard n > 0 else { continue }
                let mass = tree.requiredMass(of: q, in: p.answers)
                for answer in q.answers {
                    let k = Int(votes.counts[row * tree.outputCount + answer.column]), realised = Double(k) / Double(n)
                    let pit: Double, width: [Double]
                    if let predictive {
                        pit = predictive.randomisedPIT(answer, votes: k, volunteers: n, uniform: Double(g.nextUniform()))
                        width = Self.widthVolunteers.map { v in
                            let interval = predictive.countInterval(answer, volunteers: v)
                            return Double(interval.upper - interval.lower) / Double(v)
                        }
                    } else {
                        let sigma = mass > 0 ? Double(p.spread[answer.column] / mass) : 0, mu = Double(expected[answer.column])
                        pit = sigma > 0 ? 0.5 * erfc(-(realised - mu) / (sigma * 2.0.squareRoot())) : (realised < mu ? 0 : realised > mu ? 1 : 0.5)
                        width = Self.widthVolunteers.map { _ in 2 * z90 * sigma }
                    }
                    pits.append(pit)
                    if pit >= 0.05 && pit <= 0.95 { covered[q.number - 1] += 1 }
                    pairs[q.number - 1] += 1
                    for (b, w) in width.enumerated() { widths[q.number - 1][b] += w }
                    squared += Double(n) * pow(Double(expected[answer.column]) - realised, 2); weight += Double(n)
                }
            }
        }
        self.model = model
        questions = tree.questions.map { q in
            let i = q.number - 1
            return Question(name: q.key, galaxies: Int(pairs[i]) / q.answers.count, coverage90: pairs[i] > 0 ? covered[i] / pairs[i] : .nan,
                            widthByVolunteers: widths[i].map { pairs[i] > 0 ? $0 / pairs[i] : .nan })
        }
        reliability = Self.levels.map { level in
            Double(pits.filter { $0 >= (1 - level) / 2 && $0 <= (1 + level) / 2 }.count) / Double(max(pits.count, 1))
        }
        volunteerWeightedRMSE = (squared / max(weight, 1)).squareRoot()
    }

    /// The per-question table as Markdown.
    public var markdown: String {
        var lines = ["| question | galaxies | inside 90 % | " + Self.widthVolunteers.map { "width, \($0) volunteers" }.joined(separator: " | ") + " |",
                     "|---|---:|---:|" + String(repeating: "---:|", count: Self.widthVolunteers.count)]
        for q in questions {
            lines.append("| \(q.name) | \(q.galaxies) | " + String(format: "%.1f %%", 100 * q.coverage90) + " | "
                         + q.widthByVolunteers.map { String(format: "%.3f", $0) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// A reliability diagram of several models: observed against nominal coverage, the diagonal
    /// for a calibrated model.
    public static func reliabilitySVG(_ models: [Calibration], title: String) -> String {
        reliabilitySVG(models.map { ($0.model, $0.reliability) }, title: title)
    }

    /// The same from each model's name and observed shares at `levels`.
    public static func reliabilitySVG(_ curves: [(model: String, reliability: [Double])], title: String) -> String {
        var plot = LinePlot(title: title, xLabel: "nominal coverage of the central interval", yLabel: "observed share inside")
        plot.series = [LinePlot.Series(label: "calibrated", colour: "#999999", points: [(0, 0), (1, 1)], lineWidth: 1, dash: "4 3")]
            + curves.enumerated().map { i, c in
                LinePlot.Series(label: c.model, colour: LinePlot.palette[i % LinePlot.palette.count], points: zip(levels, c.reliability).map { ($0, $1) }, lineWidth: 2, markers: true)
            }
        (plot.xRange, plot.yRange, plot.width, plot.height) = (0...1, 0...1, 720, 480)
        return plot.svg
    }
}
