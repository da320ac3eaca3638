import Foundation

extension RunComparison {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#000000", "#98df8a"]

    /// An SVG of every curve (validation RMSE against images seen), with the baseline, the
    /// oracle floor and `target` as horizontal lines.
    public func svg(title: String, target: Double?) -> String {
        let width = 820.0, height = 480.0, left = 70.0, right = 250.0, top = 40.0, bottom = 50.0
        let maxImages = Double(curves.flatMap { $0.points.map(\.images) }.max() ?? 1)
        let values = curves.flatMap { $0.points.map(\.rmse) } + [baseline, floor, target].compactMap { $0 }
        // Leave out the first validations' high values when a baseline bounds the plot from above.
        let high = (baseline.map { $0 * 1.05 } ?? values.max() ?? 0.3), low = max(0, (values.min() ?? 0) * 0.9)
        func x(_ images: Double) -> Double { left + (width - left - right) * images / maxImages }
        func y(_ v: Double) -> Double { top + (height - top - bottom) * (1 - (min(v, high) - low) / max(high - low, 1e-9)) }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="24" font-size="15">\(title)</text>

        """
        for k in 0...5 {
            let v = low + (high - low) * Double(k) / 5, images = maxImages * Double(k) / 5
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"8\" y=\"%.1f\">%.3f</text>\n",
                          left, y(v), width - right, y(v), y(v) + 4, v)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0fk</text>\n", x(images), height - bottom + 18, images / 1000)
        }
        svg += "<text x=\"\(Int((width - right + left) / 2))\" y=\"\(Int(height - 8))\" text-anchor=\"middle\">images seen</text>\n"
        svg += "<text x=\"14\" y=\"\(Int(top - 8))\">validation RMSE</text>\n"
        for (value, name, dash) in [(baseline, "training-mean baseline", "6 4"), (floor, "oracle floor", "2 3"), (target, "target", "10 3")] {
            guard let value else { continue }
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"%@\"/>", left, y(value), width - right, y(value), dash)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#444\">%@ %.4f</text>\n", left + 6, y(value) - 5, name, value)
        }
        for (i, curve) in curves.enumerated() {
            let colour = Self.palette[i % Self.palette.count]
            let d = curve.points.enumerated().map { j, p in String(format: "%@%.1f,%.1f", j == 0 ? "M" : " L", x(Double(p.images)), y(p.rmse)) }.joined()
            svg += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\"/>\n"
            let ly = top + 10 + Double(i) * 18
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"3\"/>", width - right + 12, ly, width - right + 36, ly, colour)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\">%@ (%.4f)</text>\n", width - right + 42, ly + 4, curve.label, curve.finalRMSE ?? .nan)
        }
        return svg + "</svg>\n"
    }
}
