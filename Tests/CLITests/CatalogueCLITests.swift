import Foundation
import Testing
import TestSupport

/// Runs a Python snippet with astropy (installed by `make test`); returns what it printed, and
/// throws what Python said when it fails.
func astropy(_ script: String) throws -> String { try TestSupport.python(script) }

@Suite("Catalogue prediction", .serialized)
struct CatalogueCLITests {
    /// A trained run and a catalogue of `rows` rows over the mock's images (each used many times),
    /// with RA/Dec to carry through and 19-digit SDSS-like IDs.
    static let prepared = Result { () throws -> (run: String, folder: String, images: [String]) in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("catalogue-\(UUID().uuidString)").path
        try CLI.setUp(["mock", "--count", "40", "--seed", "8", "--out", folder + "/mock"])
        try CLI.setUp(["train", "--data", folder + "/mock", "--steps", "2", "--out", folder + "/run", "--workers", "1"])
        let images = try FileManager.default.contentsOfDirectory(atPath: folder + "/mock/images_training_rev1").sorted()
        return (folder + "/run", folder, images.map { "mock/images_training_rev1/" + $0 })
    }
    static var setUp: (run: String, folder: String, images: [String]) { get throws { try prepared.get() } }

    static func catalogue(rows: Int, name: String, extra: String = "") throws -> String {
        let (_, folder, images) = try setUp
        var text = "\u{FEFF}objid,ra,dec,file\n"
        for i in 0..<rows { text += String(format: "%lld,%.6f,%.6f,%@\n", 1_237_648_720_693_755_000 + Int64(i), 150 + Double(i) * 1e-3, -1.5, images[i % images.count]) }
        let path = folder + "/" + name
        try (text + extra).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func csvAndFITSCataloguesGiveTheSameTableAndBadRowsAreReported() throws {
        let (run, folder, _) = try Self.setUp
        let bad = "1,150.5,-1.5,missing.jpg\n2,150.6,-1.5,catalogue.csv\n"
        let csv = try Self.catalogue(rows: 25, name: "catalogue.csv", extra: bad)
        let fromCSV = try CLI.run(["predict", "--run", run, "--catalog", csv, "--id-column", "objid", "--tta", "8", "--chunk", "10",
                                   "--out", folder + "/out.csv"])
        #expect(fromCSV.status == 0 && fromCSV.output.contains("25 predicted (0 of them failed before), 0 reused from finished chunks, 2 failed"), "\(fromCSV.output) \(fromCSV.error)")
        let errors = try String(contentsOfFile: folder + "/out.errors.csv", encoding: .utf8)
        #expect(errors.contains("26,1,missing.jpg,") && errors.contains("file not found") && errors.contains("27,2,catalogue.csv,"), "\(errors)")
        // The same catalogue as a FITS binary table (written by astropy), and the output as FITS.
        _ = try astropy("""
            from astropy.table import Table
            t = Table.read('\(csv)', format='ascii.csv', encoding='utf-8-sig')
            t.write('\(folder)/catalogue.fits', overwrite=True)
            """)
        let fromFITS = try CLI.run(["predict", "--run", run, "--catalog", folder + "/catalogue.fits", "--id-column", "objid", "--tta", "8",
                                    "--chunk", "10", "--out", folder + "/out.fits"])
        #expect(fromFITS.status == 0 && fromFITS.output.contains("25 predicted"), "\(fromFITS.output) \(fromFITS.error)")
        let check = try astropy("""
            from astropy.table import Table
            import numpy as np
            a = Table.read('\(folder)/out.csv', format='ascii.csv')
            b = Table.read('\(folder)/out.fits')
            print(len(b), b['objid'].dtype.kind, b['objid'][0], b['ra'][3])
            print(max(float(np.max(np.abs(a[c] - b[c]))) for c in a.colnames if c.startswith('Class')))
            print(b['likeliest_path'][0] == a['likeliest_path'][0], b['tta_spread'][0] >= 0)
            """).split(separator: "\n").map(String.init)
        #expect(check[0] == "25 i 1237648720693755000 150.003", "\(check)")
        #expect((Double(check[1]) ?? 1) < 1e-5, "\(check)")
        #expect(check[2] == "True True", "\(check)")
        // Both outputs name the model they came from, as `info RUN` gives its checksum.
        let model = try CLI.setUp(["info", run]).split(separator: "\n").first { $0.hasPrefix("model checksum: ") }?.dropFirst(16)
        let header = try astropy("from astropy.io import fits\nh = fits.open('\(folder)/out.fits')[1].header\nprint(h['GNMODEL'], h['GNVERSN'], h['GNTTA'])")
        #expect(model != nil && header.hasPrefix("\(model ?? "?") ") && header.hasSuffix(" 8\n"), "\(header) vs \(model ?? "nil")")
        let sidecar = try CLI.setUp(["info", folder + "/out.csv"])
        #expect(sidecar.contains("model: CRC-32 \(model ?? "?")") && sidecar.contains("test-time views: 8"), "\(sidecar)")
    }

    /// A run killed mid-way resumes: finished chunks are skipped, none is lost or doubled.
    @Test func aKilledRunResumesWithNoRowLostOrDoubled() throws {
        let (run, folder, _) = try Self.setUp
        let csv = try Self.catalogue(rows: 600, name: "long.csv"), out = folder + "/long.csv.out.csv"
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["predict", "--run", run, "--catalog", csv, "--id-column", "objid", "--tta", "1", "--chunk", "50", "--out", out]
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        let parts = out + ".parts"
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, ((try? FileManager.default.contentsOfDirectory(atPath: parts)) ?? []).filter({ $0.hasSuffix(".json") }).count < 3 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: out), "killed before the end")
        let resumed = try CLI.run(["predict", "--run", run, "--catalog", csv, "--id-column", "objid", "--tta", "1", "--chunk", "50", "--out", out])
        #expect(resumed.status == 0, "\(resumed.error)")
        let words = resumed.output.split(separator: " "), reused = words.firstIndex(of: "reused").flatMap { Int(words[$0 - 1]) } ?? 0
        #expect(reused >= 150 && resumed.output.contains(" 0 failed"), "\(resumed.output)")
        let ids = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }
        #expect(ids.count == 600 && Set(ids).count == 600 && ids == ids.sorted(), "\(ids.count) rows, \(Set(ids).count) distinct")
    }

    @Test func aFITSCutoutIsInspectedAndPredictedLikeAJPEG() throws {
        let (run, folder, _) = try Self.setUp
        let (v0, v45) = try astropyCutout(folder)
        #expect(v0 == "ok" && v45.isEmpty)
        let inspect = try CLI.run(["inspect", folder + "/cutout.fits", "--out", folder + "/cutout.png"])
        #expect(inspect.status == 0 && inspect.output.contains("centre (") && FileManager.default.fileExists(atPath: folder + "/cutout.png"),
                "\(inspect.output) \(inspect.error)")
        let noScale = try CLI.run(["classify", "--run", run, folder + "/cutout-noscale.fits", "--tta", "1"])
        #expect(noScale.status != 0 && noScale.error.contains("--pixel-scale"), "\(noScale.error)")
        let given = try CLI.run(["inspect", folder + "/cutout-noscale.fits", "--pixel-scale", "0.262", "--out", folder + "/noscale.png"])
        #expect(given.status == 0, "\(given.error)")
    }

    /// Writes a g, r, i cube with a WCS and one without, through astropy.
    func astropyCutout(_ folder: String) throws -> (String, String) {
        let text = try astropy("""
            import numpy as np
            from astropy.io import fits
            y, x = np.mgrid[0:256, 0:256]
            galaxy = np.exp(-((x - 128.0) ** 2 + (y - 128.0) ** 2 / 0.5) / (2 * 15.0 ** 2))
            cube = np.stack([0.5 * galaxy, 0.8 * galaxy, galaxy]).astype(np.float32)
            h = fits.Header(); h['CD1_1'] = -0.262 / 3600; h['CD2_1'] = 0.0
            fits.PrimaryHDU(cube, header=h).writeto('\(folder)/cutout.fits', overwrite=True)
            fits.PrimaryHDU(cube).writeto('\(folder)/cutout-noscale.fits', overwrite=True)
            print('ok')
            """)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return (lines.first ?? "", lines.dropFirst().joined())
    }
}
