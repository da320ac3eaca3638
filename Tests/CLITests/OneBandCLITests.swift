import Foundation
import Testing
import TestSupport

/// One-band images through the command line: a grey mock trains and predicts, a one-band FITS
/// cutout predicts, and images of the wrong kind are refused by name.
@Suite("galaxynet with one-band images")
struct OneBandCLITests {
    @Test func aOneBandMockTrainsAndPredictsJPEGsAndAFITSCutout() throws {
        let data = scratch("grey")
        let mock = try CLI.run(["mock", "--count", "40", "--test-count", "4", "--seed", "6", "--bands", "1", "--out", data])
        #expect(mock.status == 0 && mock.output.contains("(grey-scale, one band)"), "\(mock.error)")

        // A colour model cannot read them, and says which image and what to do.
        let colour = try CLI.run(["train", "--data", data, "--out", scratch("colour"), "--steps", "2", "--workers", "1"])
        #expect(colour.status != 0 && colour.error.contains(".jpg: grey-scale JPEG; a colour (RGB) image is required (a one-band model reads grey-scale images)"))

        let run = scratch("one-band")
        let trained = try CLI.run(["train", "--data", data, "--out", run, "--bands", "1", "--steps", "40", "--workers", "1"])
        #expect(trained.status == 0, "\(trained.error)")
        let model = try String(contentsOfFile: run + "/model.json", encoding: .utf8)
        #expect(model.contains("\"cutoutFormat\"") && model.contains("\"bands\" : 1"))
        let losses = try String(contentsOfFile: run + "/log.jsonl", encoding: .utf8).split(separator: "\n").map { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["loss"] as! Double
        }
        #expect(losses.last! < losses.first!, "the loss must fall: \(losses)")
        let resumed = try CLI.run(["train", "--resume", run, "--bands", "3"])
        #expect(resumed.status != 0 && resumed.error.contains("--bands 3 (the run has 1)"))

        let out = scratch("test") + ".csv"
        let predicted = try CLI.run(["predict", "--run", run, "--split", "test", "--out", out, "--tta", "8"])
        #expect(predicted.status == 0, "\(predicted.error)")
        #expect(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count == 5)

        // A one-band FITS cutout at another pixel scale predicts; a g, r, i cube is refused by name.
        let folder = scratch("fits")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = try astropy("""
            import numpy as np
            from astropy.io import fits
            y, x = np.mgrid[0:300, 0:300]
            band = (4 * np.exp(-np.hypot(x - 150.0, y - 150.0) / 15)).astype(np.float32)
            h = fits.Header(); h['CDELT1'] = -0.262 / 3600; h['CDELT2'] = 0.262 / 3600
            fits.PrimaryHDU(band, header=h).writeto('\(folder)/one.fits')
            fits.PrimaryHDU(np.stack([band, band, band]), header=h).writeto('\(folder)/gri.fits')
            """)
        try Data("id,file\n1,one.fits\n2,gri.fits\n".utf8).write(to: URL(fileURLWithPath: folder + "/catalogue.csv"))
        let table = folder + "/predicted.csv"
        let catalogue = try CLI.run(["predict", "--run", run, "--catalog", folder + "/catalogue.csv", "--out", table, "--tta", "1"])
        #expect(catalogue.status == 0, "\(catalogue.error)")
        let rows = try String(contentsOfFile: table, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 2 && rows[1].hasPrefix("1,"))
        let errors = try String(contentsOfFile: folder + "/predicted.errors.csv", encoding: .utf8)
        #expect(errors.contains("gri.fits: 3 bands (g, r, i) for a model of one band: give the one band's file"))
    }
}
