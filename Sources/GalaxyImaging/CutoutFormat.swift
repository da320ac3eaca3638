import Foundation
import GalaxyCore

/// What a run's images are: how many bands, how many pixels a side, how many arcseconds a pixel.
///
/// A model is trained on one format and reads every image in it: JPEGs must have its size and
/// band count, FITS cutouts are resampled from their WCS to its pixel scale on a canvas of its
/// size. The views cover the same share of any cutout (the central 207/424, as in the original):
/// the transform parameters are in units of a 424-pixel cutout and scaled by `sizeFactor`, so
/// the 2014 recipe's translations and zooms mean the same on a 256-pixel DECaLS cutout.
public struct CutoutFormat: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Colour planes: 3 (R, G, B as displayed: SDSS i, r, g) or 1 (one band, grey).
    public var bands: Int
    /// Side of the square cutouts in pixels.
    public var size: Int
    /// Arcseconds per pixel of the cutouts.
    public var pixelScale: Double

    public init(bands: Int = 3, size: Int = 424, pixelScale: Double = 0.396) {
        self.bands = bands; self.size = size; self.pixelScale = pixelScale
    }

    /// The Galaxy Zoo 2 / Kaggle images: SDSS gri colour JPEGs, 424×424 at 0.396″/px.
    public static let sdss = CutoutFormat()

    /// Band counts a model can read.
    public static let bandCounts = [1, 3]
    /// Cutout sides a model can read: the 3× downsampled views need at least 207/424 of 128 pixels.
    public static let sizes = 128...4096

    /// The cutout's centre in pixel coordinates, where the galaxy sits.
    public var centre: Double { Double(size - 1) / 2 }
    /// Cutout pixels per pixel of a 424-pixel cutout: the views' scale factor (1 for SDSS).
    public var sizeFactor: Double { Double(size) / Double(ViewTransform.imageSize) }
    /// Floats in one view: `bands` planes of 69×69.
    public var viewFloats: Int { bands * ViewTransform.viewSize * ViewTransform.viewSize }
    /// Whether the colour augmentation (a shift along the top RGB principal component) applies.
    public var isColour: Bool { bands == 3 }

    /// What makes this format unreadable, or nil.
    public var problem: String? {
        guard Self.bandCounts.contains(bands) else { return "\(bands) bands: a cutout has 1 (one band) or 3 (colour)" }
        guard Self.sizes.contains(size) else { return "cutouts of \(size) pixels: sizes from \(Self.sizes.lowerBound) to \(Self.sizes.upperBound) are readable" }
        guard FITSOptions.plausiblePixelScales.contains(pixelScale) else {
            return String(format: "a pixel scale of %.4g″ is not plausible for a galaxy cutout (0.01″ to 30″)", pixelScale)
        }
        return nil
    }

    /// "3 bands, 424×424 px at 0.396″/px".
    public var description: String {
        "\(bands) band\(bands == 1 ? "" : "s"), \(size)×\(size) px at " + String(format: "%g″/px", pixelScale)
    }

    /// The plain (un-augmented) view's transform: the cutout's centre at zoom 1.
    public var plainTransform: ViewTransform { ViewTransform(centreX: centre, centreY: centre) }
}

/// An 8-bit one-band image, row by row (a grey-scale JPEG, one survey band).
public struct GreyImage: Sendable, Equatable {
    public let width: Int, height: Int
    /// width × height bytes.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        require(pixels.count == width * height, "GreyImage: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width; self.height = height; self.pixels = pixels
    }
}

extension GreyImage: SourceImage {
    public struct Sampler: PixelSampler {
        let bytes: UnsafeBufferPointer<UInt8>
        @inline(__always) public func sample(channel: Int, pixel: Int) -> Float { Float(bytes[pixel]) }
    }
    public var bands: Int { 1 }
    public static var unit: Float { 1 / 255 }
    public func withSampler<R>(_ body: (Sampler) throws -> R) rethrows -> R {
        try pixels.withUnsafeBufferPointer { try body(Sampler(bytes: $0)) }
    }
    /// Shown grey: the band in all three display channels.
    public var displayImage: RGBImage {
        RGBImage(width: width, height: height, pixels: pixels.flatMap { [$0, $0, $0] })
    }
    /// The one band, whichever channel is asked for (the source extractor reads its own channel).
    public func plane255(_ channel: Int) -> [Float] { pixels.map(Float.init) }
}
