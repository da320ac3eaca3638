import Foundation

/// An SVG learning curve: training RMSE (√loss) and validation RMSE against the step, with the
/// training-mean baseline as a dashed line.
public enum LearningCurve {
    public static func svg(_ log: [RunFolder.LogEntry], baseline: Double?, title: String) -> String {
        let width = 720.0, height = 420.0, left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let train = log.map { (Double($0.step), $0.loss.squareRoot()) }
        let validation = log.compactMap { e in e.validation_rmse.map { (Double(e.step), $0) } }
        let maxStep = max(1, log.map(\.step).max() ?? 1)
        let values = train.map(\.1) + validation.map(\.1) + (baseline.map { [$0] } ?? [])
        let high = (values.max() ?? 0.3) * 1.1, low = max(0, (values.min() ?? 0) * 0.9)
        func x(_ s: Double) -> Double { left + (width - left - right) * s / Double(maxStep) }
        func y(_ v: Double) -> Double { top + (height - top - bottom) * (1 - (v - low) / max(high - low, 1e-9)) }
        func path(_ points: [(Double, Double)]) -> String {
            points.enumerated().map { i, p in String(format: "%@%.1f,%.1f", i == 0 ? "M" : " L", x(p.0), y(p.1)) }.joined()
        }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="24" font-size="15">\(title)</text>

        """
        for k in 0...5 {
            let v = low + (high - low) * Double(k) / 5
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"8\" y=\"%.1f\">%.3f</text>\n",
                          left, y(v), width - right, y(v), y(v) + 4, v)
            let s = Double(maxStep) * Double(k) / 5
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n", x(s), height - bottom + 18, Int(s))
        }
        svg += "<text x=\"\(Int(width / 2))\" y=\"\(Int(height - 8))\" text-anchor=\"middle\">update step</text>\n"
        svg += "<text x=\"14\" y=\"\(Int(top - 8))\">RMSE</text>\n"
        if let baseline {
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>", left, y(baseline), width - right, y(baseline))
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#666\">training-mean baseline %.4f</text>\n", width - right - 230, y(baseline) - 6, baseline)
        }
        if !train.isEmpty { svg += "<path d=\"\(path(train))\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n" }
        if !validation.isEmpty {
            svg += "<path d=\"\(path(validation))\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\"/>\n"
            for (s, v) in validation { svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#d62728\"/>\n", x(s), y(v)) }
        }
        svg += """
        <rect x="\(width - right - 230)" y="\(top)" width="230" height="44" fill="white" stroke="#ccc"/>
        <line x1="\(width - right - 220)" y1="\(top + 15)" x2="\(width - right - 190)" y2="\(top + 15)" stroke="#1f77b4" stroke-width="2"/>
        <text x="\(width - right - 184)" y="\(top + 19)">training RMSE (augmented, dropout)</text>
        <line x1="\(width - right - 220)" y1="\(top + 33)" x2="\(width - right - 190)" y2="\(top + 33)" stroke="#d62728" stroke-width="2"/>
        <text x="\(width - right - 184)" y="\(top + 37)">validation RMSE</text>
        </svg>

        """
        return svg
    }
}
