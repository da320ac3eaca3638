import CZlib
import GalaxyCore
import Foundation

/// A minimal PNG writer (8-bit RGB, zlib-compressed), for plots and montages people look at.
public enum PNG {
    public static func encode(_ image: RGBImage) -> [UInt8] {
        var raw = [UInt8]()
        raw.reserveCapacity(image.height * (image.width * 3 + 1))
        for row in 0..<image.height {
            raw.append(0)  // filter: none
            raw.append(contentsOf: image.pixels[(row * image.width * 3)..<((row + 1) * image.width * 3)])
        }
        var compressedSize = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
        let status = compress2(&compressed, &compressedSize, raw, uLong(raw.count), 6)
        require(status == Z_OK, "PNG: zlib compress2 failed with \(status)")
        compressed.removeSubrange(Int(compressedSize)...)

        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        header += bigEndian(UInt32(image.width)) + bigEndian(UInt32(image.height))
        header += [8, 2, 0, 0, 0]  // 8-bit, truecolour, deflate, no filter method, no interlace
        chunk(&out, "IHDR", header)
        chunk(&out, "IDAT", compressed)
        chunk(&out, "IEND", [])
        return out
    }

    /// Writes atomically (temporary file, then rename).
    public static func write(_ image: RGBImage, to path: String) throws {
        try FileOutput.write(Data(encode(image)), to: path)
    }

    private static func chunk(_ out: inout [UInt8], _ type: String, _ data: [UInt8]) {
        let typeBytes = Array(type.utf8)
        out += bigEndian(UInt32(data.count)) + typeBytes + data
        out += bigEndian(Checksum.crc32(typeBytes + data))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
}
