import Foundation
import CFITSIO

/// Typed access to binary-table columns: what a column holds, and its values as that type, so
/// a catalogue's 64-bit IDs and double coordinates travel without a trip through text.
extension FITSFile {
    /// What one column of the current table holds, after TZERO/TSCAL (a `K` column with
    /// TZERO = 2^63 is unsigned).
    public enum ColumnKind: Sendable, Equatable {
        case text, logical, signed, unsigned, float32, float64
        /// A type this reader does not carry (complex, bit arrays, variable-length arrays).
        case unsupported(String)
    }

    /// The kind and repeat count (elements per row; characters for text) of column `column` (1-based).
    public func columnKind(_ column: Int) throws -> (kind: ColumnKind, repeatCount: Int) {
        var type: Int32 = 0, repeatCount: Int64 = 0, width: Int64 = 0, status: Int32 = 0
        ffeqtyll(handle, Int32(column), &type, &repeatCount, &width, &status)
        try check(status, "cannot read the type of column \(column)")
        let kind: ColumnKind
        switch type {
        case TSTRING: kind = .text
        case TLOGICAL: kind = .logical
        case TBYTE, TSBYTE, TSHORT, TUSHORT, TINT, TUINT, TLONG, TULONG, TLONGLONG: kind = .signed
        case TULONGLONG: kind = .unsigned
        case TFLOAT: kind = .float32
        case TDOUBLE: kind = .float64
        case let other where other < 0: kind = .unsupported("a variable-length array")
        default: kind = .unsupported("cfitsio type \(type)")
        }
        return (kind, max(Int(repeatCount), 0))
    }

    /// `rows.count × repeatCount` values of a numeric column, row by row.
    public func readInt64(column: Int, rows: Range<Int>, repeatCount: Int = 1) throws -> [Int64] {
        try read(column: column, rows: rows, repeatCount: repeatCount, type: TLONGLONG, zero: Int64(0))
    }
    public func readUInt64(column: Int, rows: Range<Int>, repeatCount: Int = 1) throws -> [UInt64] {
        try read(column: column, rows: rows, repeatCount: repeatCount, type: TULONGLONG, zero: UInt64(0))
    }
    public func readFloats(column: Int, rows: Range<Int>, repeatCount: Int = 1) throws -> [Float] {
        try read(column: column, rows: rows, repeatCount: repeatCount, type: TFLOAT, zero: Float.nan)
    }
    public func readDoubles(column: Int, rows: Range<Int>, repeatCount: Int = 1) throws -> [Double] {
        try read(column: column, rows: rows, repeatCount: repeatCount, type: TDOUBLE, zero: Double.nan)
    }

    /// Reads whole rows: element 1 of the first row onwards, `repeatCount` elements a row.
    /// Undefined values (TNULL) read as `null`.
    private func read<T: BitwiseCopyable>(column: Int, rows: Range<Int>, repeatCount: Int, type: Int32, zero null: T) throws -> [T] {
        let count = rows.count * repeatCount
        guard count > 0 else { return [] }
        var values = [T](repeating: null, count: count), nullValue = null, anyNull: Int32 = 0, status: Int32 = 0
        ffgcv(handle, type, Int32(column), Int64(rows.lowerBound + 1), 1, Int64(count), &nullValue, &values, &anyNull, &status)
        try check(status, "cannot read column \(column), rows \(rows.lowerBound + 1)–\(rows.upperBound)")
        return values
    }

    /// Writes unsigned 64-bit integers into a column created with the format "W" (cfitsio's
    /// unsigned 64-bit code: stored as `K` with TZERO = 2^63, which astropy reads as uint64).
    public func write(_ values: [UInt64], column: Int, firstRow: Int) throws {
        var data = values, status: Int32 = 0
        ffpcl(handle, TULONGLONG, Int32(column), Int64(firstRow + 1), 1, Int64(values.count), &data, &status)
        try check(status, "cannot write column \(column)")
    }
}
