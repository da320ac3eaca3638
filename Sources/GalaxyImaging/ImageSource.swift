import Foundation
import GalaxyCore

/// Pixels that the warps sample and the source extractor reads: 3 colour channels (R, G, B as
/// displayed) or one band, of width × height samples.
///
/// 8-bit data (`RGBImage` and `GreyImage`, what JPEG gives) and data of any depth (`PlanarImage`,
/// float planes: what a FITS cutout becomes after its stretch) all conform. Samples are read as
/// stored and brought to [0, 1] units by `unit` after interpolation, so the 8-bit path computes
/// exactly what it always did.
public protocol SourceImage: Sendable {
    associatedtype Sampler: PixelSampler
    var width: Int { get }
    var height: Int { get }
    /// Channels: 3 (colour) or 1 (one band).
    var bands: Int { get }
    /// The factor from a stored sample to [0, 1] units (1/255 for bytes).
    static var unit: Float { get }
    /// Calls `body` with a reader of the stored samples.
    func withSampler<R>(_ body: (Sampler) throws -> R) rethrows -> R
    /// The image as 8-bit RGB, for display (PNG, montages, `inspect`).
    var displayImage: RGBImage { get }
    /// One channel in 0…255 units, row-major (what the source extractor measures on).
    func plane255(_ channel: Int) -> [Float]
}

/// Reads sample (channel, pixel) of an image, pixel = y · width + x.
public protocol PixelSampler {
    func sample(channel: Int, pixel: Int) -> Float
}

extension RGBImage: SourceImage {
    public struct Sampler: PixelSampler {
        let bytes: UnsafeBufferPointer<UInt8>
        @inline(__always) public func sample(channel: Int, pixel: Int) -> Float { Float(bytes[3 * pixel + channel]) }
    }
    public var bands: Int { 3 }
    public static var unit: Float { 1 / 255 }
    public func withSampler<R>(_ body: (Sampler) throws -> R) rethrows -> R {
        try pixels.withUnsafeBufferPointer { try body(Sampler(bytes: $0)) }
    }
    public var displayImage: RGBImage { self }
    public func plane255(_ channel: Int) -> [Float] { (0..<(width * height)).map { Float(pixels[3 * $0 + channel]) } }
}

/// Colour planes or one band of any depth, CHW floats in [0, 1] units (values outside are
/// allowed: the network sees them as they are).
public struct PlanarImage: SourceImage, Equatable {
    public let width: Int, height: Int, bands: Int
    /// bands × height × width floats.
    public var planes: [Float]

    public init(width: Int, height: Int, bands: Int = 3, planes: [Float]) {
        require(planes.count == bands * width * height, "PlanarImage: \(planes.count) values for \(bands)×\(height)×\(width)")
        self.width = width; self.height = height; self.bands = bands; self.planes = planes
    }

    public struct Sampler: PixelSampler {
        let values: UnsafeBufferPointer<Float>, plane: Int
        @inline(__always) public func sample(channel: Int, pixel: Int) -> Float { values[channel * plane + pixel] }
    }
    public static var unit: Float { 1 }
    public func withSampler<R>(_ body: (Sampler) throws -> R) rethrows -> R {
        try planes.withUnsafeBufferPointer { try body(Sampler(values: $0, plane: width * height)) }
    }
    public var displayImage: RGBImage { RGBImage(planes: bands == 1 ? planes + planes + planes : planes, width: width, height: height) }
    /// Channel `channel` (the one band whichever is asked for).
    public func plane255(_ channel: Int) -> [Float] {
        let n = width * height, c = bands == 1 ? 0 : channel
        return planes[(c * n)..<((c + 1) * n)].map { $0 * 255 }
    }
}

/// A way to read one image file format into a `SourceImage`.
public struct ImageFormat: Sendable {
    public let name: String
    /// File name extensions, lower case, without the dot.
    public let extensions: [String]
    /// Decodes a file in a cutout format; the flag asks for a 2× pre-filtered image (the anti-aliased mode).
    public let read: @Sendable (_ path: String, _ halfSize: Bool, _ cutout: CutoutFormat) throws -> any SourceImage
    /// Decodes a file's bytes held in memory (`name` names it in errors), where the format can; a
    /// format without it is read from a temporary file.
    public let decode: (@Sendable (_ bytes: [UInt8], _ name: String, _ halfSize: Bool, _ cutout: CutoutFormat) throws -> any SourceImage)?

    public init(name: String, extensions: [String], read: @escaping @Sendable (String, Bool, CutoutFormat) throws -> any SourceImage) {
        self.name = name; self.extensions = extensions; self.read = read; self.decode = nil
    }

    /// A format that decodes bytes; its files are read whole and decoded the same way.
    public init(name: String, extensions: [String], decode: @escaping @Sendable ([UInt8], String, Bool, CutoutFormat) throws -> any SourceImage) {
        self.name = name; self.extensions = extensions; self.decode = decode
        read = { path, halfSize, cutout in try decode(JPEG.contents(path), path, halfSize, cutout) }
    }

    /// JPEG through libjpeg-turbo, 8-bit: colour for a 3-band format, grey-scale for one band.
    public static let jpeg = ImageFormat(name: "JPEG", extensions: ["jpg", "jpeg"]) { (bytes: [UInt8], name: String, halfSize: Bool, cutout: CutoutFormat) in
        // Other sizes would be warped as if they were cutouts of the format's scale (silently wrong).
        let advice = "this model reads \(cutout): resample it to that scale and size, or give a FITS cutout (resampled from its WCS)"
        let size = (cutout.size, cutout.size), scale = halfSize ? 2 : 1
        if cutout.bands == 1 { return try JPEG.decodeGrey(bytes, file: name, scale: scale, expectedSize: size, sizeAdvice: advice) }
        return try JPEG.decode(bytes, file: name, scale: scale, expectedSize: size, sizeAdvice: advice)
    }
}

/// The one entry point from an image file to pixels: the format is chosen by the extension.
/// A new format is one `ImageFormat` in `formats`; a reader with other FITS options is
/// `ImageReader(fits:)`.
public struct ImageReader: Sendable {
    public var formats: [ImageFormat]
    /// What the images become (a model's format: the predictor sets it from the model).
    public var cutout: CutoutFormat

    public init(formats: [ImageFormat], cutout: CutoutFormat = .sdss) { self.formats = formats; self.cutout = cutout }
    /// JPEG and FITS (with these stretch and pixel-scale options).
    public init(fits: FITSOptions, cutout: CutoutFormat = .sdss) { self.init(formats: [.jpeg, .fits(fits)], cutout: cutout) }

    /// This reader for another cutout format.
    public func reading(_ cutout: CutoutFormat) -> ImageReader { ImageReader(formats: formats, cutout: cutout) }

    /// JPEG, and FITS with the default options.
    public static let standard = ImageReader(fits: FITSOptions())

    /// Whether some format reads files named like `path`.
    public func canRead(_ path: String) -> Bool { format(for: path) != nil }

    public func read(_ path: String, halfSize: Bool = false) throws -> any SourceImage {
        guard let format = format(for: path) else {
            let known = formats.flatMap(\.extensions).map { "." + $0 }.joined(separator: ", ")
            throw ImageError(file: path, reason: "unknown image format (readable: \(known))")
        }
        return try format.read(path, halfSize, cutout)
    }

    /// An image file received as bytes (a server's request): its format told by its signature
    /// (JPEG's FF D8 FF, FITS's `SIMPLE  =`) and decoded exactly as `read` would — in memory
    /// where the format can, else through a private temporary file, removed after. `name`
    /// names it in errors.
    public func read(bytes: [UInt8], name: String) throws -> any SourceImage {
        let ext: String
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { ext = "jpg" } else if bytes.starts(with: Array("SIMPLE  =".utf8)) { ext = "fits" } else {
            throw ImageError(file: name, reason: "not a JPEG or FITS file (\(bytes.count) bytes starting \(bytes.prefix(4).map { String(format: "%02x", $0) }.joined()))")
        }
        if let decode = format(for: "x." + ext)?.decode { return try decode(bytes, name, false, cutout) }
        let file = NSTemporaryDirectory() + "/galaxynet-\(UUID().uuidString).\(ext)"
        guard FileManager.default.createFile(atPath: file, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw ImageError(file: file, reason: "cannot write a temporary file to decode \(name)")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        do { return try read(file) } catch let error as ImageError {
            throw ImageError(file: name, reason: error.reason)
        }
    }

    func format(for path: String) -> ImageFormat? {
        let ext = (path as NSString).pathExtension.lowercased()
        return formats.first { $0.extensions.contains(ext) }
    }
}

/// Reading with the standard formats and options.
public enum ImageSource {
    public static func canRead(_ path: String) -> Bool { ImageReader.standard.canRead(path) }
    public static func read(_ path: String, halfSize: Bool = false, cutout: CutoutFormat = .sdss) throws -> any SourceImage {
        try ImageReader.standard.reading(cutout).read(path, halfSize: halfSize)
    }

    /// Any readable image as a person sees it: JPEGs colour or grey as stored, FITS in colour.
    public static func display(_ path: String) throws -> RGBImage {
        guard ImageFormat.jpeg.extensions.contains((path as NSString).pathExtension.lowercased()) else { return try read(path).displayImage }
        return try JPEG.decodeForDisplay(JPEG.contents(path), file: path)
    }
}
