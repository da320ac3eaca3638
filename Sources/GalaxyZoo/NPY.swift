import Foundation
import GalaxyCore

/// NumPy `.npy` arrays (version 1.0, little-endian float32, C order): readable by `numpy.load`.
/// The header is written and read here for any element type, so other arrays (int64 IDs, a
/// memory-mapped table of embeddings) share it.
public enum NPY {
    /// A parsed header: the element type (`<f4`, `<i8`, …), the order, the shape, where the data starts.
    public struct Header: Sendable {
        public var descr: String, fortranOrder: Bool, shape: [Int], dataOffset: Int
        /// The header as written, for error messages.
        public var text: String
    }

    /// The bytes before the data of an array of `descr` and `shape` in C order (version 1.0,
    /// padded with spaces so that the data starts at a multiple of 64).
    public static func header(descr: String, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Magic (6) + version (2) + length (2) + header + newline, padded to a multiple of 64.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        let length = UInt16(header.utf8.count)
        return [0x93] + Array("NUMPY".utf8) + [1, 0] + [UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
    }

    /// The header at the start of `bytes` (versions 1 and 2), naming `path` when it is not one.
    public static func header<Bytes: RandomAccessCollection>(of bytes: Bytes, file path: String) throws -> Header where Bytes.Element == UInt8, Bytes.Index == Int {
        let at = bytes.startIndex
        guard bytes.count >= 10, bytes[at] == 0x93, Array(bytes[(at + 1)..<(at + 6)]) == Array("NUMPY".utf8) else {
            throw KaggleDataError(file: path, reason: "not a .npy file")
        }
        let lengthBytes = bytes[at + 6] == 1 ? 2 : 4
        let length = (0..<lengthBytes).reduce(0) { $0 | Int(bytes[at + 8 + $1]) << (8 * $1) }
        let start = 8 + lengthBytes
        guard bytes.count >= start + length else { throw KaggleDataError(file: path, reason: "truncated .npy header") }
        let text = String(decoding: bytes[(at + start)..<(at + start + length)], as: UTF8.self)
        guard let d = text.range(of: "'descr': '"), let dEnd = text[d.upperBound...].firstIndex(of: "'"),
              let open = text.range(of: "'shape': ("), let close = text[open.upperBound...].firstIndex(of: ")") else {
            throw KaggleDataError(file: path, reason: "unreadable .npy header: \(text)")
        }
        return Header(descr: String(text[d.upperBound..<dEnd]), fortranOrder: text.contains("'fortran_order': True"),
                      shape: text[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) },
                      dataOffset: start + length, text: text)
    }

    public static func encode(shape: [Int], values: [Float]) -> [UInt8] {
        require(shape.reduce(1, *) == values.count, "NPY: shape \(shape) does not hold \(values.count) values")
        var out = header(descr: "<f4", shape: shape)
        values.withUnsafeBytes { out.append(contentsOf: $0) }  // x86-64 and arm64 are little-endian
        return out
    }

    public static func write(shape: [Int], values: [Float], to path: String) throws {
        try FileOutput.write(Data(encode(shape: shape, values: values)), to: path)
    }

    /// Reads a float32 C-order array written by `write` or NumPy.
    public static func read(_ path: String) throws -> (shape: [Int], values: [Float]) {
        guard let data = FileManager.default.contents(atPath: path) else { throw KaggleDataError(file: path, reason: "file not found") }
        return try decode([UInt8](data), file: path)
    }

    /// The array in `bytes`, read from `path` (named in errors).
    public static func decode(_ bytes: [UInt8], file path: String) throws -> (shape: [Int], values: [Float]) {
        let h = try header(of: bytes, file: path)
        guard h.descr == "<f4", !h.fortranOrder else {
            throw KaggleDataError(file: path, reason: "only little-endian float32 C-order arrays are supported, header: \(h.text)")
        }
        let count = h.shape.reduce(1, *)
        guard bytes.count == h.dataOffset + 4 * count else {
            throw KaggleDataError(file: path, reason: "expected \(count) float32 values for shape \(h.shape), file has \((bytes.count - h.dataOffset) / 4)")
        }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes { source in destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[h.dataOffset...])) }
        }
        return (h.shape, values)
    }
}
