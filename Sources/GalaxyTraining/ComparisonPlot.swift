import Foundation
import GalaxyCore

extension RunComparison {
    /// An SVG of every curve (validation RMSE against images seen), with the baseline, the
    /// oracle floor and `target` as horizontal lines. Values above the baseline are drawn at it:
    /// the first validations' high values would flatten everything else.
    public func svg(title: String, target: Double?) -> String {
        var plot = LinePlot(title: title, xLabel: "images seen", yLabel: "validation RMSE")
        plot.series = curves.enumerated().map { i, curve in
            LinePlot.Series(label: String(format: "%@ (%.4f)", curve.label, curve.finalRMSE ?? .nan), colour: LinePlot.palette[i % LinePlot.palette.count],
                            points: curve.points.map { (Double($0.images), $0.rmse) })
        }
        plot.references = [(baseline, "training-mean baseline", "6 4"), (floor, "oracle floor", "2 3"), (target, "target", "10 3")].compactMap { value, name, dash in
            value.map { LinePlot.Reference(label: String(format: "%@ %.4f", name, $0), value: $0, dash: dash) }
        }
        let values = curves.flatMap { $0.points.map(\.rmse) } + [baseline, floor, target].compactMap { $0 }
        plot.yRange = max(0, (values.min() ?? 0) * 0.9)...(baseline.map { $0 * 1.05 } ?? (values.max() ?? 0.3) * 1.05)
        plot.width = 860
        return plot.svg
    }
}
