import CTurboJPEG
import Foundation
import GalaxyCore

/// A JPEG that cannot be used, with the file and the reason.
public struct ImageError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}

/// JPEG decoding and encoding through libjpeg-turbo's TurboJPEG API.
public enum JPEG {
    /// The accurate integer DCT in both directions: what the original read its images with
    /// (scikit-image through libjpeg's default), not libjpeg-turbo's faster approximate one,
    /// which moves predictions of the same weights by up to 0.023 on real SDSS images.
    static let dctFlag = TJFLAG_ACCURATEDCT

    /// Decodes a colour JPEG; `scale` 2 uses the decoder's own 1/2-size path (cheaper than
    /// decoding in full and shrinking). `expectedSize` rejects images of another size.
    public static func decode(_ data: [UInt8], file: String = "<memory>", scale: Int = 1,
                              expectedSize: (width: Int, height: Int)? = nil, sizeAdvice: String? = nil) throws -> RGBImage {
        guard data.count >= 4, data[0] == 0xFF, data[1] == 0xD8 else {
            throw ImageError(file: file, reason: "not a JPEG file (no SOI marker)")
        }
        guard let handle = tjInitDecompress() else { throw ImageError(file: file, reason: "cannot start the JPEG decoder") }
        defer { tjDestroy(handle) }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        let header = data.withUnsafeBufferPointer {
            tjDecompressHeader3(handle, $0.baseAddress, UInt(data.count), &width, &height, &subsampling, &colorspace)
        }
        guard header == 0 else { throw ImageError(file: file, reason: "corrupt JPEG header: \(message(handle))") }
        guard colorspace != Int32(TJCS_GRAY.rawValue) else {
            throw ImageError(file: file, reason: "grey-scale JPEG; a colour (RGB) image is required")
        }
        guard colorspace != Int32(TJCS_CMYK.rawValue) && colorspace != Int32(TJCS_YCCK.rawValue) else {
            throw ImageError(file: file, reason: "CMYK JPEG (a print colour space); convert it to RGB, e.g. `convert in.jpg -colorspace sRGB out.jpg`")
        }
        if let expectedSize, (Int(width), Int(height)) != expectedSize {
            throw ImageError(file: file, reason: "image is \(width)x\(height), expected \(expectedSize.width)x\(expectedSize.height)" + (sizeAdvice.map { "; " + $0 } ?? ""))
        }
        require(scale == 1 || scale == 2, "JPEG.decode: scale must be 1 or 2, got \(scale)")
        let w = (Int(width) + scale - 1) / scale, h = (Int(height) + scale - 1) / scale
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        let status = data.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                tjDecompress2(handle, src.baseAddress, UInt(data.count), dst.baseAddress, Int32(w), 0, Int32(h),
                              Int32(TJPF_RGB.rawValue), dctFlag)
            }
        }
        // Status -1 with a warning (e.g. premature end of data) is still an error here: a truncated
        // galaxy image would train on grey padding.
        guard status == 0 else { throw ImageError(file: file, reason: "corrupt or truncated JPEG data: \(message(handle))") }
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// Reads and decodes a file.
    public static func read(_ path: String, scale: Int = 1, expectedSize: (width: Int, height: Int)? = nil, sizeAdvice: String? = nil) throws -> RGBImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageError(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read file" : "file not found")
        }
        return try decode([UInt8](data), file: path, scale: scale, expectedSize: expectedSize, sizeAdvice: sizeAdvice)
    }

    /// Encodes with 4:2:0 chroma subsampling (as SDSS cutouts are) at `quality` 1–100;
    /// `greyscale` writes a one-component (luminance) JPEG instead.
    public static func encode(_ image: RGBImage, quality: Int = 90, greyscale: Bool = false) -> [UInt8] {
        guard let handle = tjInitCompress() else { fatalError("JPEG: cannot start the TurboJPEG encoder") }
        defer { tjDestroy(handle) }
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let status = image.pixels.withUnsafeBufferPointer {
            tjCompress2(handle, $0.baseAddress, Int32(image.width), 0, Int32(image.height), Int32(TJPF_RGB.rawValue),
                        &buffer, &size, Int32(greyscale ? TJSAMP_GRAY.rawValue : TJSAMP_420.rawValue), Int32(quality), dctFlag)
        }
        require(status == 0, "JPEG.encode: \(message(handle))")
        defer { tjFree(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
    }

    private static func message(_ handle: tjhandle) -> String {
        tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
    }
}
