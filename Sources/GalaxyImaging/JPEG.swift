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
        let (w, h, pixels) = try decodePixels(data, file: file, scale: scale, grey: false, expectedSize: expectedSize, sizeAdvice: sizeAdvice)
        return RGBImage(width: w, height: h, pixels: pixels)
    }

    /// Decodes a grey-scale (one-component) JPEG, for a one-band model; as `decode` otherwise.
    public static func decodeGrey(_ data: [UInt8], file: String = "<memory>", scale: Int = 1,
                                  expectedSize: (width: Int, height: Int)? = nil, sizeAdvice: String? = nil) throws -> GreyImage {
        let (w, h, pixels) = try decodePixels(data, file: file, scale: scale, grey: true, expectedSize: expectedSize, sizeAdvice: sizeAdvice)
        return GreyImage(width: w, height: h, pixels: pixels)
    }

    /// Decodes a colour or grey-scale JPEG as it is stored, for display (grey shown in all three channels).
    public static func decodeForDisplay(_ data: [UInt8], file: String = "<memory>") throws -> RGBImage {
        let (w, h, pixels) = try decodePixels(data, file: file, scale: 1, grey: nil, expectedSize: nil, sizeAdvice: nil)
        return pixels.count == w * h ? GreyImage(width: w, height: h, pixels: pixels).displayImage : RGBImage(width: w, height: h, pixels: pixels)
    }

    /// The one decoder of all: colour files decode as RGB, grey files as one band, and a file of
    /// the other kind is refused (a colour model fed grey, or a one-band model fed colour, would
    /// learn from what the survey did not measure); `grey` nil takes the file as it is.
    static func decodePixels(_ data: [UInt8], file: String, scale: Int, grey wanted: Bool?,
                             expectedSize: (width: Int, height: Int)?, sizeAdvice: String?) throws -> (width: Int, height: Int, pixels: [UInt8]) {
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
        guard colorspace != Int32(TJCS_CMYK.rawValue) && colorspace != Int32(TJCS_YCCK.rawValue) else {
            throw ImageError(file: file, reason: "CMYK JPEG (a print colour space); convert it to RGB, e.g. `convert in.jpg -colorspace sRGB out.jpg`")
        }
        let isGrey = colorspace == Int32(TJCS_GRAY.rawValue), grey = wanted ?? isGrey
        guard isGrey == grey else {
            throw ImageError(file: file, reason: grey ? "colour JPEG; this model reads one band: give grey-scale images (one band), e.g. `convert in.jpg -colorspace Gray out.jpg`"
                                                      : "grey-scale JPEG; a colour (RGB) image is required (a one-band model reads grey-scale images)")
        }
        if let expectedSize, (Int(width), Int(height)) != expectedSize {
            throw ImageError(file: file, reason: "image is \(width)x\(height), expected \(expectedSize.width)x\(expectedSize.height)" + (sizeAdvice.map { "; " + $0 } ?? ""))
        }
        require(scale == 1 || scale == 2, "JPEG.decode: scale must be 1 or 2, got \(scale)")
        let w = (Int(width) + scale - 1) / scale, h = (Int(height) + scale - 1) / scale, channels = grey ? 1 : 3
        var pixels = [UInt8](repeating: 0, count: w * h * channels)
        let status = data.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                tjDecompress2(handle, src.baseAddress, UInt(data.count), dst.baseAddress, Int32(w), 0, Int32(h),
                              Int32(grey ? TJPF_GRAY.rawValue : TJPF_RGB.rawValue), dctFlag)
            }
        }
        // Status -1 with a warning (e.g. premature end of data) is still an error here: a truncated
        // galaxy image would train on grey padding.
        guard status == 0 else { throw ImageError(file: file, reason: "corrupt or truncated JPEG data: \(message(handle))") }
        return (w, h, pixels)
    }

    /// Reads and decodes a colour file.
    public static func read(_ path: String, scale: Int = 1, expectedSize: (width: Int, height: Int)? = nil, sizeAdvice: String? = nil) throws -> RGBImage {
        try decode(contents(path), file: path, scale: scale, expectedSize: expectedSize, sizeAdvice: sizeAdvice)
    }

    /// Reads and decodes a grey-scale file.
    public static func readGrey(_ path: String, scale: Int = 1, expectedSize: (width: Int, height: Int)? = nil, sizeAdvice: String? = nil) throws -> GreyImage {
        try decodeGrey(contents(path), file: path, scale: scale, expectedSize: expectedSize, sizeAdvice: sizeAdvice)
    }

    public static func contents(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageError(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read file" : "file not found")
        }
        return [UInt8](data)
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
