import Foundation
import CFITSIO
import GalaxyCore

/// A FITS file that cannot be used, with the file and cfitsio's reason.
public struct FITSError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}

/// One open FITS file through cfitsio: its HDUs, images (read as Float32 with blank pixels as NaN)
/// and binary tables. C types stay inside this type.
public final class FITSFile {
    public let path: String
    var handle: UnsafeMutablePointer<fitsfile>?

    private init(path: String, handle: UnsafeMutablePointer<fitsfile>?) { self.path = path; self.handle = handle }

    /// Opens an existing file read-only.
    public static func open(_ path: String) throws -> FITSFile {
        guard FileManager.default.fileExists(atPath: path) else { throw FITSError(file: path, reason: "file not found") }
        var handle: UnsafeMutablePointer<fitsfile>?, status: Int32 = 0
        ffopen(&handle, path, READONLY, &status)
        let file = FITSFile(path: path, handle: handle)
        try file.check(status, "not a readable FITS file")
        return file
    }

    /// Creates a new file (replacing one at `path`).
    public static func create(_ path: String) throws -> FITSFile {
        var handle: UnsafeMutablePointer<fitsfile>?, status: Int32 = 0
        ffinit(&handle, "!" + path, &status)
        let file = FITSFile(path: path, handle: handle)
        try file.check(status, "cannot create the FITS file")
        return file
    }

    /// Flushes and closes (also done when the value goes away).
    public func close() throws {
        guard handle != nil else { return }
        var status: Int32 = 0
        ffclos(handle, &status)
        handle = nil
        try check(status, "cannot close the file")
    }

    deinit { var status: Int32 = 0; if handle != nil { ffclos(handle, &status) } }

    func check(_ status: Int32, _ what: String) throws {
        guard status != 0 else { return }
        var text = [CChar](repeating: 0, count: 81)
        ffgerr(status, &text)
        let reason = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw FITSError(file: path, reason: "\(what) (cfitsio: \(reason))")
    }

    // MARK: HDUs and keywords

    public enum HDUKind: Sendable { case image, asciiTable, binaryTable }

    public var hduCount: Int {
        get throws { var n: Int32 = 0, status: Int32 = 0; ffthdu(handle, &n, &status); try check(status, "cannot count HDUs"); return Int(n) }
    }

    /// Moves to HDU `number` (1 is the primary) and says what it holds.
    @discardableResult
    public func move(to number: Int) throws -> HDUKind {
        var kind: Int32 = 0, status: Int32 = 0
        ffmahd(handle, Int32(number), &kind, &status)
        try check(status, "has no HDU \(number)")
        return kind == IMAGE_HDU ? .image : kind == BINARY_TBL ? .binaryTable : .asciiTable
    }

    /// A numeric keyword of the current HDU, nil when absent.
    public func number(_ keyword: String) -> Double? {
        var value = 0.0, status: Int32 = 0
        ffgkyd(handle, keyword, &value, nil, &status)
        return status == 0 ? value : nil
    }

    /// A string keyword of the current HDU without its quotes and trailing blanks, nil when absent.
    public func text(_ keyword: String) -> String? {
        var value = [CChar](repeating: 0, count: 72), status: Int32 = 0
        ffgkys(handle, keyword, &value, nil, &status)
        guard status == 0 else { return nil }
        return String(decoding: value.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// Writes a string keyword into the current HDU.
    public func setText(_ keyword: String, _ value: String, comment: String = "") throws {
        var status: Int32 = 0
        ffpkys(handle, keyword, value, comment, &status)
        try check(status, "cannot write keyword \(keyword)")
    }

    /// Writes a numeric keyword into the current HDU.
    public func setNumber(_ keyword: String, _ value: Double, comment: String = "") throws {
        var v = value, status: Int32 = 0
        ffpky(handle, TDOUBLE, keyword, &v, comment, &status)
        try check(status, "cannot write keyword \(keyword)")
    }

    // MARK: Images

    /// The axis lengths of the current image HDU, fastest first (NAXIS1 = columns, NAXIS2 = rows, …).
    public func imageShape() throws -> [Int] {
        var rank: Int32 = 0, status: Int32 = 0
        ffgidm(handle, &rank, &status)
        var axes = [Int](repeating: 0, count: Int(rank))
        if rank > 0 { ffgisz(handle, rank, &axes, &status) }
        try check(status, "cannot read the image size")
        return axes
    }

    /// The current image's values as Float32 in file order (FITS rows bottom first); blank
    /// (BLANK) and NaN pixels are NaN.
    public func readImage() throws -> (shape: [Int], values: [Float]) {
        let shape = try imageShape()
        var count = shape.isEmpty ? 0 : 1
        for n in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow, n >= 0 else { throw FITSError(file: path, reason: "the header claims an image of \(shape) pixels, more than can exist") }
            count = product
        }
        guard count > 0 else { throw FITSError(file: path, reason: "the HDU holds no image") }
        // A header can claim any size; the file must hold the pixels (deflate packs at most ~1032:1).
        var bitpix: Int32 = 0, status: Int32 = 0
        ffgidt(handle, &bitpix, &status)
        let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? Int.max
        let packed = path.lowercased().hasSuffix(".gz") || path.lowercased().hasSuffix(".fz")
        let needed = Double(count) * Double(abs(Int(bitpix)) / 8) / (packed ? 1032 : 1)
        guard status != 0 || needed <= Double(size) else {
            throw FITSError(file: path, reason: "the header claims \(shape.map(String.init).joined(separator: "×")) pixels "
                            + "(\(Int(needed)) bytes), but the file has \(size) bytes: it is truncated or its header is wrong")
        }
        var values = [Float](repeating: 0, count: count)
        var blank = Float.nan, anyBlank: Int32 = 0
        status = 0
        ffgpv(handle, TFLOAT, 1, Int64(count), &blank, &values, &anyBlank, &status)
        try check(status, "cannot read the image data")
        return (shape, values)
    }

    /// Writes a Float32 image HDU (axes fastest first).
    public func writeImage(shape: [Int], values: [Float]) throws {
        require(values.count == shape.reduce(1, *), "FITSFile.writeImage: \(values.count) values for \(shape)")
        var axes = shape, status: Int32 = 0, data = values
        ffcrim(handle, FLOAT_IMG, Int32(shape.count), &axes, &status)
        ffppr(handle, TFLOAT, 1, Int64(values.count), &data, &status)
        try check(status, "cannot write the image")
    }

    // MARK: Binary tables

    /// A column of a table to write: a name and a TFORM ("K" 64-bit integer, "E" float,
    /// "D" double, "20A" text of up to 20 characters).
    public struct Column: Sendable {
        public let name: String, format: String
        public init(_ name: String, _ format: String) { self.name = name; self.format = format }
    }

    /// The column names of the current table HDU.
    public func columnNames() throws -> [String] {
        var count: Int32 = 0, status: Int32 = 0
        ffgncl(handle, &count, &status)
        try check(status, "cannot count the table's columns")
        return try (1...max(Int(count), 1)).prefix(Int(count)).map { column in
            var name = [CChar](repeating: 0, count: 72), card = [CChar](repeating: 0, count: 81)
            ffgkys(handle, "TTYPE\(column)", &name, &card, &status)
            try check(status, "column \(column) has no name")
            return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    public func rowCount() throws -> Int {
        var rows = 0, status: Int32 = 0
        ffgnrw(handle, &rows, &status)
        try check(status, "cannot count the table's rows")
        return rows
    }

    /// Column `column` (1-based) of `rows` (0-based) as text, numbers in the column's display format.
    public func readStrings(column: Int, rows: Range<Int>) throws -> [String] {
        guard !rows.isEmpty else { return [] }
        // Room for the column's display width (a text column's own width can exceed any fixed buffer).
        var displayWidth: Int32 = 0, widthStatus: Int32 = 0
        ffgcdw(handle, Int32(column), &displayWidth, &widthStatus)
        try check(widthStatus, "cannot read the width of column \(column)")
        let width = max(256, Int(displayWidth) + 1)
        var buffers: [UnsafeMutablePointer<CChar>?] = (0..<rows.count).map { _ in
            let b = UnsafeMutablePointer<CChar>.allocate(capacity: width)
            b.initialize(repeating: 0, count: width)
            return b
        }
        defer { buffers.forEach { $0?.deallocate() } }
        var status: Int32 = 0, anyNull: Int32 = 0
        var null = Array("".utf8CString)
        ffgcvs(handle, Int32(column), Int64(rows.lowerBound + 1), 1, Int64(rows.count), &null, &buffers, &anyNull, &status)
        try check(status, "cannot read column \(column), rows \(rows.lowerBound + 1)–\(rows.upperBound)")
        return buffers.map { String(cString: $0!).trimmingCharacters(in: .whitespaces) }
    }

    /// Appends an empty binary table HDU with `columns`.
    public func createTable(name: String, columns: [Column]) throws {
        var status: Int32 = 0
        let names = columns.map { strdup($0.name) }, formats = columns.map { strdup($0.format) }
        defer { (names + formats).forEach { free($0) } }
        var ttype = names, tform = formats
        ffcrtb(handle, BINARY_TBL, 0, Int32(columns.count), &ttype, &tform, nil, name, &status)
        try check(status, "cannot create the table \(name)")
    }

    /// Writes values into column `column` (1-based) from row `firstRow` (0-based).
    public func write(_ values: [Float], column: Int, firstRow: Int) throws { try write(values, type: TFLOAT, column: column, firstRow: firstRow) }
    public func write(_ values: [Double], column: Int, firstRow: Int) throws { try write(values, type: TDOUBLE, column: column, firstRow: firstRow) }
    public func write(_ values: [Int64], column: Int, firstRow: Int) throws { try write(values, type: TLONGLONG, column: column, firstRow: firstRow) }

    private func write<T: BitwiseCopyable>(_ values: [T], type: Int32, column: Int, firstRow: Int) throws {
        var data = values, status: Int32 = 0
        ffpcl(handle, type, Int32(column), Int64(firstRow + 1), 1, Int64(values.count), &data, &status)
        try check(status, "cannot write column \(column)")
    }

    public func write(_ values: [String], column: Int, firstRow: Int) throws {
        let copies = values.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        var pointers = copies, status: Int32 = 0
        ffpcls(handle, Int32(column), Int64(firstRow + 1), 1, Int64(values.count), &pointers, &status)
        try check(status, "cannot write column \(column)")
    }
}
