import Foundation

/// Text in an SVG plot: measured before it is placed (no font is at hand, so widths are
/// estimated generously from DejaVu Sans, the usual sans-serif), shortened to fit, escaped.
public enum PlotText {
    /// The estimated width of `text` at `size` px: narrow, wide and other characters per em.
    public static func width(_ text: String, size: Double) -> Double {
        text.reduce(0) { sum, c in
            sum + size * ("iIl.,:;|!'()[]ftj ".contains(c) ? 0.34 : ("MWmw@%".contains(c) || c.isUppercase ? 0.78 : 0.6))
        }
    }

    /// `text`, or its start and end around "…" when wider than `limit`.
    public static func shortened(_ text: String, toWidth limit: Double, size: Double) -> String {
        guard width(text, size: size) > limit else { return text }
        var head = Array(text.prefix(text.count / 2)), tail = Array(text.suffix(text.count - text.count / 2))
        while !(head.isEmpty && tail.isEmpty), width(String(head) + "…" + String(tail), size: size) > limit {
            if head.count > tail.count { head.removeLast() } else { tail.removeFirst() }
        }
        return String(head) + "…" + String(tail)
    }

    /// `text` safe inside an SVG element.
    public static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A `<text>` element; `anchor` is start, middle or end.
    public static func element(_ text: String, x: Double, y: Double, size: Double? = nil, anchor: String = "start", extra: String = "") -> String {
        String(format: "<text x=\"%.1f\" y=\"%.1f\"%@%@%@>%@</text>\n", x, y, size.map { " font-size=\"\(Int($0))\"" } ?? "",
               anchor == "start" ? "" : " text-anchor=\"\(anchor)\"", extra.isEmpty ? "" : " " + extra, escaped(text))
    }
}

/// Round tick values: 1, 2 or 5 × 10^k apart, labelled with as many decimals as the step needs
/// (thousands as "20k", millions as "1.5M", zero then as "0").
public enum NiceTicks {
    /// About `count` round values covering `low`…`high`, the first at or below `low`, the last at or above `high`.
    public static func ticks(low: Double, high: Double, count: Int = 5) -> (values: [Double], step: Double) {
        precondition(low.isFinite && high.isFinite && count > 0, "NiceTicks: a finite range and a positive count")
        let span = max(high - low, abs(high) * 1e-6, 1e-12)
        let raw = span / Double(count), magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * 0.999 } ?? 10 * magnitude
        let first = floor(low / step + 1e-9) * step, last = ceil(high / step - 1e-9) * step
        let n = Int(((last - first) / step).rounded())
        return ((0...n).map { first + Double($0) * step }, step)
    }

    /// The labels of `values` (ticks `step` apart): in millions ("1.5M") when the largest reaches
    /// a million, in thousands ("20k") when it reaches ten thousand, else plain.
    public static func labels(_ values: [Double], step: Double) -> [String] {
        let largest = values.map(abs).max() ?? 0
        let (unit, suffix) = largest >= 1e6 ? (1e6, "M") : largest >= 1e4 ? (1e3, "k") : (1, "")
        return values.map { v in abs(v) < step * 1e-6 ? (suffix.isEmpty ? decimal(0, step: step) : "0") : decimal(v / unit, step: step / unit) + suffix }
    }

    static func decimal(_ v: Double, step: Double) -> String {
        let decimals = max(0, Int(ceil(-log10(step) - 1e-9)))
        return String(format: "%.\(decimals)f", v)
    }
}
