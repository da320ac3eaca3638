import Foundation

/// A line plot as SVG, laid out from its text: the title on its own line, the y-axis label turned
/// up the left edge, round ticks (`NiceTicks`), and a legend in a right-hand column as wide as its
/// longest label (shortened past `maxLegendWidth`), so nothing leaves the canvas or lands on
/// other text. The learning curve, `compare` and the reliability diagram are drawn with it.
public struct LinePlot {
    /// One curve.
    public struct Series {
        public var label: String, colour: String, points: [(x: Double, y: Double)]
        public var lineWidth = 1.8, dash: String? = nil, markers = false
        public init(label: String, colour: String, points: [(x: Double, y: Double)], lineWidth: Double = 1.8, dash: String? = nil, markers: Bool = false) {
            (self.label, self.colour, self.points, self.lineWidth, self.dash, self.markers) = (label, colour, points, lineWidth, dash, markers)
        }
    }

    /// A horizontal line across the plot (a baseline, a floor, a target), named in the legend.
    public struct Reference {
        public var label: String, value: Double, dash: String
        public init(label: String, value: Double, dash: String) { (self.label, self.value, self.dash) = (label, value, dash) }
    }

    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#000000", "#98df8a"]

    public var title: String, xLabel: String, yLabel: String
    public var series: [Series] = [], references: [Reference] = []
    /// Fixed axis ranges; nil: round values around the data (y: the data ±10 %).
    public var xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil
    public var width = 760.0, height = 440.0, maxLegendWidth = 300.0
    let font = 12.0, titleFont = 15.0

    public init(title: String, xLabel: String, yLabel: String) { (self.title, self.xLabel, self.yLabel) = (title, xLabel, yLabel) }

    public var svg: String {
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) } + references.map(\.value)
        let xTicks = NiceTicks.ticks(low: xRange?.lowerBound ?? min(0, xs.min() ?? 0), high: xRange?.upperBound ?? max(xs.max() ?? 1, 1e-9))
        let yTicks = NiceTicks.ticks(low: yRange?.lowerBound ?? max(0, (ys.min() ?? 0) * 0.9), high: yRange?.upperBound ?? (ys.max() ?? 1) * 1.1)
        let (x0, x1) = (xTicks.values.first!, xTicks.values.last!), (y0, y1) = (yTicks.values.first!, yTicks.values.last!)
        let yTickLabels = NiceTicks.labels(yTicks.values, step: yTicks.step)
        let legend = legendEntries()
        let legendWidth = min(maxLegendWidth, (legend.map { PlotText.width($0.label, size: font) }.max() ?? 0) + 44)
        // Left: the turned y label, then the tick labels; right: the legend column.
        let left = 34 + (yTickLabels.map { PlotText.width($0, size: font) }.max() ?? 0)
        let right = width - (legend.isEmpty ? 24 : legendWidth + 16), top = 44.0, bottom = height - 52
        func x(_ v: Double) -> Double { left + (right - left) * (v - x0) / max(x1 - x0, 1e-12) }
        func y(_ v: Double) -> Double { bottom - (bottom - top) * (min(max(v, y0), y1) - y0) / max(y1 - y0, 1e-12) }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"\(Int(font))\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + PlotText.element(PlotText.shortened(title, toWidth: width - 24, size: titleFont), x: 12, y: 24, size: titleFont)
        svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#bbb\"/>\n", left, top, right - left, bottom - top)
        for (v, label) in zip(yTicks.values, yTickLabels) {
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>", left, y(v), right, y(v))
            svg += PlotText.element(label, x: left - 6, y: y(v) + 4, anchor: "end")
        }
        for (v, label) in zip(xTicks.values, NiceTicks.labels(xTicks.values, step: xTicks.step)) {
            svg += PlotText.element(label, x: x(v), y: bottom + 17, anchor: "middle")
        }
        svg += PlotText.element(PlotText.shortened(xLabel, toWidth: right - left, size: font), x: (left + right) / 2, y: height - 12, anchor: "middle")
        svg += PlotText.element(PlotText.shortened(yLabel, toWidth: bottom - top, size: font), x: 0, y: 0, anchor: "middle",
                                extra: String(format: "transform=\"translate(16 %.1f) rotate(-90)\"", (top + bottom) / 2))
        for r in references {
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"%@\"/>\n", left, y(r.value), right, y(r.value), r.dash)
        }
        for s in series where !s.points.isEmpty {
            let d = s.points.enumerated().map { i, p in String(format: "%@%.1f,%.1f", i == 0 ? "M" : " L", x(p.x), y(p.y)) }.joined()
            svg += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"\(s.lineWidth)\"\(s.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>\n"
            if s.markers { for p in s.points { svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%@\"/>", x(p.x), y(p.y), s.colour) } }
        }
        // As many rows as the plot is tall; the rest counted in the last.
        let rows = Int((bottom - top) / 18)
        let shown = legend.count <= rows ? legend : Array(legend.prefix(rows - 1)) + [("+ \(legend.count - rows + 1) more", "white", nil)]
        for (i, entry) in shown.enumerated() {
            let ly = top + 8 + 18 * Double(i), lx = right + 16
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2.5\"%@/>", lx, ly, lx + 22, ly, entry.colour,
                          entry.dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")
            svg += PlotText.element(PlotText.shortened(entry.label, toWidth: legendWidth - 44, size: font), x: lx + 28, y: ly + 4)
        }
        return svg + "</svg>\n"
    }

    func legendEntries() -> [(label: String, colour: String, dash: String?)] {
        series.filter { !$0.label.isEmpty }.map { ($0.label, $0.colour, $0.dash) } + references.map { ($0.label, "#555", $0.dash) }
    }
}
