import Foundation

/// The type of a table column, the same for every writer (CSV, FITS binary table, .npy).
public enum ColumnType: String, Codable, Sendable, Equatable {
    case text, int64, uint64, float32, float64
}

/// A named, typed column of a table GalaxyNet reads or writes.
public struct TableColumn: Codable, Sendable, Equatable {
    public var name: String
    public var type: ColumnType
    public init(_ name: String, _ type: ColumnType) { self.name = name; self.type = type }
}

/// One typed value of a table row. A value travels as itself from the reader to every writer:
/// no number is printed and parsed back on the way.
public enum Cell: Sendable, Equatable {
    case text(String)
    case int64(Int64)
    case uint64(UInt64)
    case float32(Float)
    case float64(Double)

    public var type: ColumnType {
        switch self {
        case .text: .text
        case .int64: .int64
        case .uint64: .uint64
        case .float32: .float32
        case .float64: .float64
        }
    }

    /// The value written out exactly: integers in full, floating point in the shortest form that
    /// reads back to the same bits, text as it is. `init(exactText:type:)` reads it back.
    public var exactText: String {
        switch self {
        case .text(let s): s
        case .int64(let v): String(v)
        case .uint64(let v): String(v)
        case .float32(let v): "\(v)"
        case .float64(let v): "\(v)"
        }
    }

    public init?(exactText text: String, type: ColumnType) {
        switch type {
        case .text: self = .text(text)
        case .int64: guard let v = Int64(text) else { return nil }; self = .int64(v)
        case .uint64: guard let v = UInt64(text) else { return nil }; self = .uint64(v)
        case .float32: guard let v = Float(text) else { return nil }; self = .float32(v)
        case .float64: guard let v = Double(text) else { return nil }; self = .float64(v)
        }
    }
}

/// The FITS type a column of text cells can take without changing any value: integers written
/// the canonical way (no sign on zero, no leading zeros: `007` and `0102474` stay text) become
/// 64-bit integers, unsigned when one exceeds Int64.max; other numbers become doubles only when
/// every one of them reads back to the same text; anything else stays text. Used for CSV input,
/// which has no schema of its own, and decided over the whole column, never one value.
public struct TextColumnTyping: Sendable {
    private var signed = true, unsigned = true, double = true, seen = false

    public init() {}

    public mutating func observe(_ text: String) {
        seen = true
        if signed || unsigned {
            let canonical = text == "0" || (!text.hasPrefix("0") && !text.hasPrefix("-0") && !text.hasPrefix("+"))
            if signed && !(canonical && Int64(text) != nil) { signed = false }
            if unsigned && !(canonical && UInt64(text) != nil) { unsigned = false }
        }
        if double, !(Double(text).map { "\($0)" == text || Self.sameNumber(text, $0) } ?? false) { double = false }
    }

    /// A decimal such as "150.250000" reads back as 150.25: the same number, written another way.
    /// Numbers with more significant digits than a double holds are not the same number, and
    /// neither is a leading zero or plus (`007`, `+1.5`): that text is an identifier, not a number.
    private static func sameNumber(_ text: String, _ value: Double) -> Bool {
        guard value.isFinite, !text.contains(where: { $0.isLetter && $0 != "e" && $0 != "E" }) else { return false }
        let unsigned = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        if unsigned.hasPrefix("+") || (unsigned.hasPrefix("0") && unsigned.dropFirst().first?.isNumber == true) { return false }
        let digits = text.prefix { $0 != "e" && $0 != "E" }.filter(\.isNumber).drop { $0 == "0" }
        return digits.reversed().drop { $0 == "0" }.count <= 15
    }

    public var type: ColumnType { !seen ? .text : signed ? .int64 : unsigned ? .uint64 : double ? .float64 : .text }
}
