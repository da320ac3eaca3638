import Foundation
import GalaxyCore
import GalaxyZoo

/// Evaluation reports: text and an SVG of predicted against true values for the main answers.
public enum Report {
    /// The rows of `predictions` whose IDs are in `truth`, matched in ID order.
    /// The rows of `predictions` and `truth` paired by GalaxyID. Every prediction must have a
    /// truth row (with `partial`, those without are left out). Truth rows without a prediction
    /// are normal (validation predictions against the training solutions) but never silent:
    /// `note` says what was scored whenever the files differ.
    public static func matched(_ predictions: GalaxyTable, _ truth: GalaxyTable, predictionsFile: String, truthFile: String,
                               partial: Bool = false) throws -> (predictions: GalaxyTable, truth: GalaxyTable, note: String?) {
        let index = Dictionary(truth.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let common = predictions.ids.indices.filter { index[predictions.ids[$0]] != nil }
        guard !common.isEmpty else { throw KaggleDataError(file: predictionsFile, reason: "no GalaxyID in common with \(truthFile)") }
        let unscored = predictions.ids.filter { index[$0] == nil }
        if !unscored.isEmpty && !partial {
            throw KaggleDataError(file: predictionsFile, reason: "\(unscored.count) of its \(predictions.count) GalaxyIDs are not in \(truthFile) "
                                  + "(first: \(unscored.prefix(3).map(String.init).joined(separator: ", "))); pass --partial to score the \(common.count) in common")
        }
        var note: String? = nil
        if common.count != truth.count || !unscored.isEmpty {
            note = "scored \(common.count) galaxies: the predictions cover \(common.count) of the \(truth.count) rows of \(truthFile)"
                + (unscored.isEmpty ? "" : "; \(unscored.count) predictions without truth were left out (--partial)")
        }
        return (predictions.subset(common), truth.subset(common.map { index[predictions.ids[$0]]! }), note)
    }

    /// Total, per-question and per-answer RMSE with the baselines (and the oracle floor when known).
    public static func text(_ e: Evaluation, tree: DecisionTree = .gz2, zeros: Double?, mean: Double?, oracle: Double?) -> String {
        var lines = [String(format: "RMSE over all %d answers: %.5f", tree.outputCount, e.rmse)]
        if let mean { lines.append(String(format: "  training-mean baseline:  %.5f  (%.1f%% lower)", mean, 100 * (1 - e.rmse / mean))) }
        if let zeros { lines.append(String(format: "  all-zeros baseline:      %.5f", zeros)) }
        if let oracle { lines.append(String(format: "  oracle floor (true probabilities vs. crowd votes): %.5f", oracle)) }
        lines.append("per question: " + e.perQuestion.enumerated().map { String(format: "Q%d %.4f", $0.offset + 1, $0.element) }.joined(separator: "  "))
        lines.append("per answer:   " + tree.answers.map { String(format: "%@ %.4f", $0.name, e.perAnswer[$0.column]) }.joined(separator: "  "))
        return lines.joined(separator: "\n")
    }

    /// Six scatter panels of predicted against true: for gz2 answers 1.1, 1.2, 2.1, 4.1, 6.1 and
    /// 7.1; for other trees the first answer of each of the first six questions.
    public static func scatterSVG(predictions: [Float], truth: [Float], tree: DecisionTree = .gz2, title: String) -> String {
        let answers = tree == .gz2 ? [(1, 1), (1, 2), (2, 1), (4, 1), (6, 1), (7, 1)].map { tree.answer($0.0, $0.1) }
            : tree.questions.prefix(6).map { $0.answers[0] }
        let width = tree.outputCount
        let panel = 220.0, gap = 30.0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(3 * panel + 4 * gap))\" height=\"\(Int(2 * panel + 3 * gap + 30))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>" + PlotText.element(PlotText.shortened(title, toWidth: 3 * panel + 2 * gap - 130, size: 14), x: gap, y: 20, size: 14)
        svg += PlotText.element("true →, predicted ↑", x: 3 * panel + 3 * gap, y: 20, anchor: "end", extra: "fill=\"#555\"")
        let rows = truth.count / width
        for (k, answer) in answers.enumerated() {
            let ox = gap + Double(k % 3) * (panel + gap), oy = 40 + gap + Double(k / 3) * (panel + gap)
            svg += String(format: "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#999\"/>", ox, oy, panel, panel)
            svg += String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#bbb\" stroke-dasharray=\"4 3\"/>", ox, oy + panel, ox + panel, oy)
            svg += PlotText.element(PlotText.shortened("\(answer.name): \(answer.text)", toWidth: panel, size: 11), x: ox, y: oy - 6)
            for r in 0..<rows {
                let t = Double(truth[r * width + answer.column]), p = Double(predictions[r * width + answer.column])
                svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\" fill=\"#1f77b4\" fill-opacity=\"0.5\"/>", ox + t * panel, oy + panel - min(max(p, 0), 1) * panel)
            }
            svg += "\n"
        }
        return svg + "</svg>\n"
    }
}
