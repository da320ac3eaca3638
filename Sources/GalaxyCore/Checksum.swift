import CZlib
import Foundation

/// CRC-32 (zlib's, the one of PNG and gzip): cheap enough to check a 170 MB checkpoint in a
/// tenth of a second, and it catches any flipped byte.
public enum Checksum {
    public static func crc32(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var crc = UInt(crc)
        var offset = 0
        // zlib takes 32-bit lengths.
        while offset < bytes.count {
            let n = min(bytes.count - offset, 1 << 30)
            crc = CZlib.crc32(crc, bytes.baseAddress!.advanced(by: offset).assumingMemoryBound(to: UInt8.self), uInt(n))
            offset += n
        }
        return UInt32(crc)
    }

    public static func crc32(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { crc32($0) } }

    /// The CRC-32 as the hexadecimal text run folders and bulk runs record.
    public static func hex(_ data: Data) -> String { String(data.withUnsafeBytes { crc32($0) }, radix: 16) }

    /// The same of some lines of text (a folder's image names, a list of IDs).
    public static func hex(lines: [String]) -> String { String(crc32(Array(lines.joined(separator: "\n").utf8)), radix: 16) }

    /// The same of a file's bytes, read in blocks (a catalogue may be larger than memory).
    public static func hex(file path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw OutputError(file: path, reason: "cannot read the file") }
        defer { try? handle.close() }
        var crc: UInt32 = 0
        while let block = try handle.read(upToCount: 1 << 22), !block.isEmpty {
            crc = block.withUnsafeBytes { crc32($0, continuing: crc) }
        }
        return String(crc, radix: 16)
    }
}
