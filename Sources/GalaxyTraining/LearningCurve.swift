import Foundation
import GalaxyCore

/// An SVG learning curve: training RMSE (√loss) and validation RMSE against the step, with the
/// training-mean baseline as a dashed line.
public enum LearningCurve {
    public static func svg(_ log: [RunFolder.LogEntry], baseline: Double?, title: String) -> String {
        var plot = LinePlot(title: title, xLabel: "update step", yLabel: "RMSE")
        plot.series = [LinePlot.Series(label: "training RMSE (augmented, dropout)", colour: "#1f77b4", points: log.map { (Double($0.step), $0.loss.squareRoot()) }, lineWidth: 1.5),
                       LinePlot.Series(label: "validation RMSE", colour: "#d62728", points: log.compactMap { e in e.validation_rmse.map { (Double(e.step), $0) } },
                                       lineWidth: 2, markers: true)]
        plot.references = baseline.map { [LinePlot.Reference(label: String(format: "training-mean baseline %.4f", $0), value: $0, dash: "6 4")] } ?? []
        plot.xRange = 0...Double(max(1, log.map(\.step).max() ?? 1))
        return plot.svg
    }
}
