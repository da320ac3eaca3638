/// Plain-text table helpers for reports printed to a terminal.
public enum Text {
    /// `s` padded with spaces to `width` characters (left-aligned).
    public static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
}
