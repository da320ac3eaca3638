import Foundation
import GalaxyCore

/// Pixels that the warps sample and the source extractor reads: 3 colour channels (R, G, B as
/// displayed) of width × height samples.
///
/// 8-bit data (`RGBImage`, what JPEG gives) and data of any depth (`PlanarImage`, float planes:
/// what a FITS cutout becomes after its colour stretch) both conform. Samples are read as
/// stored and brought to [0, 1] units by `unit` after interpolation, so the 8-bit path computes
/// exactly what it always did.
public protocol SourceImage: Sendable {
    associatedtype Sampler: PixelSampler
    var width: Int { get }
    var height: Int { get }
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
    public static var unit: Float { 1 / 255 }
    public func withSampler<R>(_ body: (Sampler) throws -> R) rethrows -> R {
        try pixels.withUnsafeBufferPointer { try body(Sampler(bytes: $0)) }
    }
    public var displayImage: RGBImage { self }
    public func plane255(_ channel: Int) -> [Float] { (0..<(width * height)).map { Float(pixels[3 * $0 + channel]) } }
}

/// Colour planes of any depth, CHW floats in [0, 1] units (values outside are allowed: the
/// network sees them as they are).
public struct PlanarImage: SourceImage, Equatable {
    public let width: Int, height: Int
    /// 3 × height × width floats.
    public var planes: [Float]

    public init(width: Int, height: Int, planes: [Float]) {
        require(planes.count == 3 * width * height, "PlanarImage: \(planes.count) values for 3×\(height)×\(width)")
        self.width = width; self.height = height; self.planes = planes
    }

    public struct Sampler: PixelSampler {
        let values: UnsafeBufferPointer<Float>, plane: Int
        @inline(__always) public func sample(channel: Int, pixel: Int) -> Float { values[channel * plane + pixel] }
    }
    public static var unit: Float { 1 }
    public func withSampler<R>(_ body: (Sampler) throws -> R) rethrows -> R {
        try planes.withUnsafeBufferPointer { try body(Sampler(values: $0, plane: width * height)) }
    }
    public var displayImage: RGBImage { RGBImage(planes: planes, width: width, height: height) }
    public func plane255(_ channel: Int) -> [Float] {
        let n = width * height
        return planes[(channel * n)..<((channel + 1) * n)].map { $0 * 255 }
    }
}

/// A way to read one image file format into a `SourceImage`.
public struct ImageFormat: Sendable {
    public let name: String
    /// File name extensions, lower case, without the dot.
    public let extensions: [String]
    /// Decodes a file; the flag asks for a 2× pre-filtered image (the anti-aliased mode).
    public let read: @Sendable (_ path: String, _ halfSize: Bool) throws -> any SourceImage

    public init(name: String, extensions: [String], read: @escaping @Sendable (String, Bool) throws -> any SourceImage) {
        self.name = name; self.extensions = extensions; self.read = read
    }

    /// JPEG through libjpeg-turbo, 8-bit.
    public static let jpeg = ImageFormat(name: "JPEG", extensions: ["jpg", "jpeg"]) { path, halfSize in
        // Other sizes would be warped as if they were SDSS cutouts at 0.396″/px (silently wrong).
        try JPEG.read(path, scale: halfSize ? 2 : 1, expectedSize: (ViewTransform.imageSize, ViewTransform.imageSize),
                      sizeAdvice: "GalaxyNet reads 424x424 SDSS cutouts at 0.396″/px: resample it to that scale and size, or give a FITS cutout (resampled from its WCS)")
    }
}

/// The one entry point from an image file to pixels: the format is chosen by the extension.
/// A new format is one `ImageFormat` in `formats`; a reader with other FITS options is
/// `ImageReader(fits:)`.
public struct ImageReader: Sendable {
    public var formats: [ImageFormat]

    public init(formats: [ImageFormat]) { self.formats = formats }
    /// JPEG and FITS (with these stretch and pixel-scale options).
    public init(fits: FITSOptions) { self.init(formats: [.jpeg, .fits(fits)]) }

    /// JPEG, and FITS with the default options.
    public static let standard = ImageReader(fits: FITSOptions())

    /// Whether some format reads files named like `path`.
    public func canRead(_ path: String) -> Bool { format(for: path) != nil }

    public func read(_ path: String, halfSize: Bool = false) throws -> any SourceImage {
        guard let format = format(for: path) else {
            let known = formats.flatMap(\.extensions).map { "." + $0 }.joined(separator: ", ")
            throw ImageError(file: path, reason: "unknown image format (readable: \(known))")
        }
        return try format.read(path, halfSize)
    }

    func format(for path: String) -> ImageFormat? {
        let ext = (path as NSString).pathExtension.lowercased()
        return formats.first { $0.extensions.contains(ext) }
    }
}

/// Reading with the standard formats and options.
public enum ImageSource {
    public static func canRead(_ path: String) -> Bool { ImageReader.standard.canRead(path) }
    public static func read(_ path: String, halfSize: Bool = false) throws -> any SourceImage {
        try ImageReader.standard.read(path, halfSize: halfSize)
    }
}
