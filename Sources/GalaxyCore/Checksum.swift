import CZlib

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
}
