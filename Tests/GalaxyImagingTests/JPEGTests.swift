import Foundation
import Testing
import GalaxyImaging
import TestSupport

@Suite("JPEG decoding")
struct JPEGTests {
    let real = TestSupport.sharedData("kaggle-sample/images_training_rev1/100008.jpg")

    @Test func decodesRealImagesInFullAndHalfSize() throws {
        let full = try JPEG.read(real, expectedSize: (424, 424))
        #expect(full.width == 424 && full.height == 424 && full.pixels.count == 424 * 424 * 3)
        let half = try JPEG.read(real, scale: 2)
        #expect(half.width == 212 && half.height == 212)
        // The scaled decode is close to a box-filtered full decode.
        let shrunk = full.shrunk(by: 2)
        let mean = zip(half.pixels, shrunk.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / half.pixels.count
        #expect(mean < 4)
    }

    func expectError(_ bytes: [UInt8], _ reason: String, expectedSize: (Int, Int)? = nil) throws {
        let path = TestSupport.temporaryFolder() + "/bad.jpg"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: ImageError.self) { try JPEG.read(path, expectedSize: expectedSize.map { (width: $0.0, height: $0.1) }) }
        #expect(error.file == path && error.reason.contains(reason), "\(error)")
    }

    @Test func badFilesNameTheFileAndTheReason() throws {
        let good = [UInt8](FileManager.default.contents(atPath: real)!)
        try expectError(Array("not an image".utf8), "not a JPEG")
        try expectError(Array(good.prefix(good.count / 2)), "truncated")
        var corrupt = good
        for i in 200..<260 { corrupt[i] = 0xFF }
        try expectError(corrupt, "corrupt")
        try expectError(good, "expected 69x69", expectedSize: (69, 69))
        try expectError(JPEG.encode(RGBImage(width: 16, height: 16, fill: (128, 128, 128)), greyscale: true), "grey-scale")
        #expect(throws: ImageError.self) { try JPEG.read("/nonexistent/galaxy.jpg") }
        // An 8×8 CMYK JPEG (written by Pillow): named as such, not called corrupt.
        try expectError([UInt8](Data(base64Encoded: "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwADAgIDAgIDAwMDBAMDBAUIBQUEBAUKBwcGCAwKDAwLCgsLDQ4SEA0OEQ4LCxAWEBETFBUVFQwPFxgWFBgSFBUU/8AAFAgACAAIBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD9OK+PK/QOv1Tr/9k=")!), "CMYK JPEG")
    }

    /// Images of another size are refused by the standard reader, with what to do about it.
    @Test func imagesThatAreNot424SquareAreRefusedWithAdvice() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wide-\(UUID().uuidString).jpg").path
        try Data(JPEG.encode(RGBImage(width: 500, height: 400, fill: (90, 80, 70)))).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: ImageError.self) { _ = try ImageSource.read(path) }
        #expect(error.description.hasPrefix(path) && error.description.contains("500x400, expected 424x424")
                && error.description.contains("FITS cutout"), "\(error)")
        #expect(try ImageSource.read(real).width == 424)
    }

    @Test func pngHasSignatureAndChunks() {
        let png = PNG.encode(RGBImage(width: 3, height: 2, fill: (10, 20, 30)))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(String(decoding: png[12..<16], as: UTF8.self) == "IHDR")
        #expect(String(decoding: png.suffix(8).prefix(4), as: UTF8.self) == "IEND")
    }
}
