import Foundation
import Testing
import TestSupport
import GalaxyTensor
import GalaxyImaging
import GalaxyFITS

/// What a FITS header says about its pixels is read as the standard means it, and what cannot be
/// rendered faithfully is an error naming the file (hardening 2, classes 3 and 7).
@Suite("FITS headers: units, square pixels, plausible scales, valid pixels")
struct FITSHeaderTests {
    let folder = TestSupport.temporaryFolder("fits-header")
    let plane: [Float] = {
        var g = SeededGenerator(seed: 9)
        return (0..<(32 * 32)).map { _ in g.nextUniform() }
    }()

    /// A one-band cutout with the given keywords (numbers and strings).
    func cutout(_ name: String, values: [Float]? = nil, numbers: [String: Double], texts: [String: String] = [:]) throws -> String {
        let path = folder + "/" + name
        let file = try FITSFile.create(path)
        try file.writeImage(shape: [32, 32], values: values ?? plane)
        for (k, v) in numbers.sorted(by: { $0.key < $1.key }) { try file.setNumber(k, v) }
        for (k, v) in texts.sorted(by: { $0.key < $1.key }) { try file.setText(k, v) }
        try file.close()
        return path
    }

    func error(_ path: String, _ options: FITSOptions = FITSOptions()) throws -> String {
        try #require(throws: FITSError.self) { _ = try FITSCutout.read(path, options: options) }.description
    }

    @Test func cunitArcsecondsAreArcseconds() throws {
        let degrees = try cutout("deg.fits", numbers: ["CDELT1": -0.396 / 3600, "CDELT2": 0.396 / 3600])
        let arcsec = try cutout("arcsec.fits", numbers: ["CDELT1": -0.396, "CDELT2": 0.396], texts: ["CUNIT1": "arcsec", "CUNIT2": "arcsec"])
        #expect(try FITSCutout.read(arcsec) == FITSCutout.read(degrees))
        let unknown = try cutout("furlong.fits", numbers: ["CDELT1": 1, "CDELT2": 1], texts: ["CUNIT1": "furlong"])
        let message = try error(unknown)
        #expect(message.contains("furlong.fits") && message.contains("CUNIT1"), "\(message)")
    }

    @Test func nonSquarePixelsAreRefused() throws {
        let path = try cutout("oblong.fits", numbers: ["CD1_1": -0.262 / 3600, "CD2_2": 0.524 / 3600])
        let message = try error(path)
        #expect(message.contains("oblong.fits") && message.contains("not square"), "\(message)")
    }

    /// A scale in arcseconds written where degrees belong (0.396 "degrees" = 1426″), or a typo in
    /// the flag, would render an empty or a smeared canvas: refused, naming where it came from.
    @Test func anImplausiblePixelScaleIsRefused() throws {
        let path = try cutout("unitless.fits", numbers: ["CDELT1": -0.396, "CDELT2": 0.396])
        let header = try error(path)
        #expect(header.contains("unitless.fits") && header.contains("not plausible") && header.contains("header"), "\(header)")
        var options = FITSOptions()
        options.pixelScale = 1e-6
        let flag = try error(path, options)
        #expect(flag.contains("--pixel-scale") && flag.contains("not plausible"), "\(flag)")
    }

    @Test func aCutoutWithNoValidPixelIsAnError() throws {
        let path = try cutout("blank.fits", values: [Float](repeating: .nan, count: 32 * 32), numbers: ["CDELT1": -0.396 / 3600, "CDELT2": 0.396 / 3600])
        #expect(try error(path).contains("no valid pixels"))
    }

    @Test func bandFilesOfDifferentScalesAreRefused() throws {
        for (band, scale) in [("g", 0.396), ("r", 0.396), ("i", 0.262)] {
            _ = try cutout("mixed-\(band).fits", numbers: ["CDELT1": -scale / 3600, "CDELT2": scale / 3600])
        }
        let message = try error(folder + "/mixed-{band}.fits")
        #expect(message.contains("different pixel scales") && message.contains("0.262"), "\(message)")
    }
}
