import Foundation
import Testing
import GalaxyTensor
import GalaxyImaging
import TestSupport

/// A smooth 424×424 test image (sums of broad Gaussians per channel), so bilinear resampling
/// error stays small and comparisons test geometry, not interpolation.
func smoothImage() -> RGBImage {
    var pixels = [UInt8](repeating: 0, count: 424 * 424 * 3)
    let blobs: [(Double, Double, Double, [Double])] = [(200, 190, 40, [200, 120, 60]), (250, 240, 30, [60, 150, 220]), (150, 260, 50, [90, 200, 90])]
    for y in 0..<424 { for x in 0..<424 { for c in 0..<3 {
        var v = 20.0
        for (bx, by, s, colour) in blobs { v += colour[c] * exp(-((Double(x) - bx) * (Double(x) - bx) + (Double(y) - by) * (Double(y) - by)) / (2 * s * s)) }
        pixels[(y * 424 + x) * 3 + c] = UInt8(min(255, v))
    } } }
    return RGBImage(width: 424, height: 424, pixels: pixels)
}

/// Warps a whole image through a map into another image of `size` (one resampling stage).
func stage(_ image: RGBImage, _ map: AffineMap, size: Int) -> RGBImage {
    var planes = [Float](repeating: 0, count: 3 * size * size)
    planes.withUnsafeMutableBufferPointer { AffineWarp.warp(image, map, size: size, into: $0.baseAddress!) }
    return RGBImage(planes: planes, width: size, height: size)
}

/// An RGB image the warp knows only through the protocol: it takes the generic loop, which is
/// the definition the loops specialised for `RGBImage` and `GreyImage` must reproduce.
struct OpaqueImage: SourceImage {
    let image: RGBImage
    var width: Int { image.width }
    var height: Int { image.height }
    var bands: Int { image.bands }
    static var unit: Float { RGBImage.unit }
    func withSampler<R>(_ body: (RGBImage.Sampler) throws -> R) rethrows -> R { try image.withSampler(body) }
    var displayImage: RGBImage { image }
    func plane255(_ channel: Int) -> [Float] { image.plane255(channel) }
}

@Suite("Affine warp and augmentation")
struct WarpTests {
    @Test func specialisedWarpsAreTheGenericOneBitForBit() {
        let source = smoothImage()
        var g = SeededGenerator(seed: 3)
        for _ in 0..<4 {
            // Rotations, zooms and shifts that reach past the borders (the reflected samples).
            let transform = ViewTransform(rotation: Double(g.nextUniform()) * 6.3, translationX: Double(g.nextUniform()) * 300 - 150,
                                          translationY: Double(g.nextUniform()) * 300 - 150, zoom: 0.6 + Double(g.nextUniform()), flip: g.nextUniform() < 0.5)
            let (a0, a45) = AffineWarp.views(source, transform), (b0, b45) = AffineWarp.views(OpaqueImage(image: source), transform)
            #expect(a0 == b0 && a45 == b45, "\(transform)")
            let grey = GreyImage(width: 424, height: 424, pixels: stride(from: 0, to: source.pixels.count, by: 3).map { source.pixels[$0] })
            let (c0, _) = AffineWarp.views(grey, transform, cutout: CutoutFormat(bands: 1))
            #expect(c0 == Array(b0.prefix(c0.count)), "grey \(transform)")
        }
    }

    @Test func composedWarpEqualsTheStagesOneByOne() {
        let source = smoothImage()
        let t = ViewTransform(rotation: 0.7, translationX: 2.5, translationY: -3, zoom: 1.15, flip: true, centreX: 205, centreY: 216, scale: 1.2)
        let c = 211.5
        // A: centring and rescaling; B: augmentation about the centre; C: crop, 3× downsampling, view rotation.
        let a = stage(source, AffineMap.translation(t.centreX, t.centreY).after(.scaling(1 / t.scale)).after(.translation(-c, -c)), size: 424)
        var augment = AffineMap.rotation(t.rotation).after(.mirror)
        augment = AffineMap.translation(c + t.translationX, c + t.translationY).after(.scaling(1 / t.zoom)).after(augment).after(.translation(-c, -c))
        let b = stage(a, augment, size: 424)
        for phi in [0.0, Double.pi / 4] {
            let sequential = stage(b, AffineMap.translation(c, c).after(.scaling(3)).after(.rotation(phi)).after(.translation(-34, -34)), size: 69)
            let composed = stage(source, t.map(viewAngle: phi), size: 69)
            let worst = zip(sequential.pixels, composed.pixels).map { abs(Int($0) - Int($1)) }.max()!
            #expect(worst <= 4, "view φ = \(phi): largest difference \(worst)/255")
        }
    }

    @Test func unitTransformIsTheCentreCrop() {
        // Output pixel 34 maps to 211.5 and the window spans 109.5…313.5 (original-solution-spec.md §2.3).
        let map = ViewTransform().map(viewAngle: 0)
        #expect(map.apply(34, 34) == (211.5, 211.5))
        #expect(map.apply(0, 0) == (109.5, 109.5) && map.apply(68, 68) == (313.5, 313.5))
    }

    @Test func reflectBordersMirrorWithoutRepeatingTheEdge() {
        #expect((-3...6).map { AffineWarp.reflect($0, 4) } == [3, 2, 1, 0, 1, 2, 3, 2, 1, 0])
    }

    @Test func rotatingTheImageRotatesTheViews() {
        let source = smoothImage()
        var rotated = source
        for r in 0..<424 { for c in 0..<424 { for ch in 0..<3 {
            rotated.pixels[(r * 424 + c) * 3 + ch] = source.pixels[(c * 424 + (423 - r)) * 3 + ch]  // rot90 counter-clockwise
        } } }
        let (a0, a45) = AffineWarp.views(source, ViewTransform()), (b0, b45) = AffineWarp.views(rotated, ViewTransform())
        for (a, b) in [(a0, b0), (a45, b45)] {
            let expected = Tensor(shape: [3, 69, 69], scalars: a).rotated90(turns: 1).scalars
            #expect(zip(expected, b).map { abs($0 - $1) }.max()! < 1e-5)
        }
    }

    @Test func testTimeTransformsAreTheSpecsSixty() {
        let all = Augmentation.testTimeTransforms()
        #expect(all.count == 60)
        #expect(all[0] == ViewTransform(rotation: 0, zoom: 1 / 1.2, flip: false))
        #expect(all[1] == ViewTransform(rotation: 0, zoom: 1 / 1.2, flip: true))
        #expect(abs(all[2].rotation - 36 * .pi / 180) < 1e-12 && !all[2].flip)
        #expect(all[20].zoom == 1 && all[40].zoom == 1.2 && abs(all[59].rotation - 324 * .pi / 180) < 1e-12 && all[59].flip)
        #expect(Set(all.map { "\($0.zoom) \($0.rotation) \($0.flip)" }).count == 60)
        #expect(all.allSatisfy { $0.translationX == 0 && $0.translationY == 0 })
    }

    @Test func augmentationDrawsCoverTheSpecRanges() {
        var g = SeededGenerator(seed: 1)
        let draws = (0..<20_000).map { _ in Augmentation.draw(&g) }
        let rotations = draws.map(\.transform.rotation), zooms = draws.map(\.transform.zoom)
        let shifts = draws.flatMap { [$0.transform.translationX, $0.transform.translationY] }
        #expect(rotations.min()! >= 0 && rotations.max()! < 2 * .pi && rotations.max()! > 6.2 && rotations.min()! < 0.01)
        #expect(shifts.min()! >= -4 && shifts.max()! <= 4 && shifts.min()! < -3.99 && shifts.max()! > 3.99)
        #expect(zooms.min()! >= 1 / 1.3 - 1e-9 && zooms.max()! <= 1.3 + 1e-9)
        let logMean = zooms.map { log($0) }.reduce(0, +) / Double(zooms.count)
        #expect(abs(logMean) < 0.01, "log-uniform zoom is symmetric in log space")
        let flips = Double(draws.filter(\.transform.flip).count) / Double(draws.count)
        #expect(abs(flips - 0.5) < 0.02)
        let alphas = draws.map { Double($0.colourShift) }
        let sd = (alphas.map { $0 * $0 }.reduce(0, +) / Double(alphas.count)).squareRoot()
        #expect(abs(sd - 0.5) < 0.02)
    }

    @Test func colourShiftFollowsThePrincipalComponentAndClips() {
        var planes: [Float] = [0.5, 1, 0.5, 0, 0.5, 0.001]
        Augmentation.shiftColour(&planes, by: 2)
        #expect(abs(planes[0] - (0.5 - 2 * 0.0148366)) < 1e-6 && abs(planes[1] - (1 - 2 * 0.0148366)) < 1e-6)
        #expect(planes[5] == 0, "clipped at 0")
        var up: [Float] = [1, 1, 1]
        Augmentation.shiftColour(&up, by: -3)
        #expect(up == [1, 1, 1], "clipped at 1")
    }
}
