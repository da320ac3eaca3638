import Foundation
import Testing
import TestSupport

/// The bulk path's contract (catalogues and image shards): a rerun reuses only what the same run
/// made, IDs and carried columns stay exact in every format, outputs never overwrite inputs, and
/// CSV/FITS semantics hold. Each test is one class of the hardening issue.
@Suite("Bulk prediction contract", .serialized)
struct BulkContractCLITests {
    func predict(_ catalogue: String, _ out: String, _ extra: [String] = []) throws -> (status: Int32, output: String, error: String) {
        let (run, _, _) = try CatalogueCLITests.setUp
        return try CLI.run(["predict", "--run", run, "--catalog", catalogue, "--id-column", "objid", "--tta", "1", "--chunk", "5", "--out", out] + extra)
    }

    @Test func aRerunReusesOnlyWhatTheSameRunMadeAndRetriesFailedRows() throws {
        let (run, folder, _) = try CatalogueCLITests.setUp
        let csv = try CatalogueCLITests.catalogue(rows: 12, name: "contract.csv", extra: "99,1,1,later.jpg\n"), out = folder + "/contract.out.csv"
        let first = try predict(csv, out)
        #expect(first.status == 0 && first.output.contains("12 predicted (0 of them failed before), 0 reused from finished chunks, 1 failed"), "\(first.output) \(first.error)")
        for (flags, change) in [(["--tta", "8"], "--tta was 1, now 8"), (["--chunk", "4"], "--chunk/--shard was 5, now 4")] {
            var arguments = ["predict", "--run", run, "--catalog", csv, "--id-column", "objid", "--tta", "1", "--chunk", "5", "--out", out]
            for i in stride(from: 0, to: flags.count, by: 2) { arguments[arguments.firstIndex(of: flags[i])! + 1] = flags[i + 1] }
            let stale = try CLI.run(arguments)
            #expect(stale.status != 0 && stale.error.contains("chunk-000000.json was made by a different run") && stale.error.contains(change), "\(stale.error)")
        }
        // The missing image appears: only its row is predicted again.
        try FileManager.default.copyItem(atPath: folder + "/" + (try CatalogueCLITests.setUp).images[0], toPath: folder + "/later.jpg")
        let retried = try predict(csv, out)
        #expect(retried.status == 0 && retried.output.contains("1 predicted (1 of them failed before), 12 reused from finished chunks, 0 failed"), "\(retried.output)")
        // The catalogue changes under the parts: refused, naming the part.
        try (try String(contentsOfFile: csv, encoding: .utf8)).replacingOccurrences(of: ",-1.5,", with: ",-1.25,").write(toFile: csv, atomically: true, encoding: .utf8)
        let changed = try predict(csv, out)
        #expect(changed.status != 0 && changed.error.contains("has changed since"), "\(changed.error)")
        // A run in which no row could be predicted fails.
        try "objid,ra,dec,file\n1,0,0,nowhere.jpg\n2,0,0,\n".write(toFile: folder + "/hopeless.csv", atomically: true, encoding: .utf8)
        let hopeless = try predict(folder + "/hopeless.csv", folder + "/hopeless.out.csv")
        #expect(hopeless.status != 0 && hopeless.error.contains("no row of") && hopeless.output.contains("2 failed"), "\(hopeless.output) \(hopeless.error)")
        let reasons = try String(contentsOfFile: folder + "/hopeless.out.errors.csv", encoding: .utf8)
        #expect(reasons.contains("nowhere.jpg") && reasons.contains("no file given"), "\(reasons)")
    }

    @Test func imageShardsRecordTheirRunAndJoinChecksThem() throws {
        let (run, folder, _) = try CatalogueCLITests.setUp
        let out = folder + "/sharded.csv"
        func shard(_ i: Int, tta: String = "1") throws -> (status: Int32, output: String, error: String) {
            try CLI.run(["predict", "--run", run, "--images", folder + "/mock/images_training_rev1", "--tta", tta, "--shard", "\(i)/2", "--out", out])
        }
        #expect(try shard(0).status == 0 && shard(1).status == 0)
        let stale = try shard(0, tta: "8")
        #expect(stale.status != 0 && stale.error.contains("sharded.shard-0-of-2.json was made by a different run: --tta was 1, now 8"), "\(stale.error)")
        #expect(try shard(0).output.contains("reused"))
        let joined = try CLI.run(["join", "--out", out, "--shards", "2"])
        #expect(joined.status == 0 && joined.output.contains("joined 40 galaxies"), "\(joined.output) \(joined.error)")
        let part = folder + "/sharded.shard-1-of-2.csv"
        try (try String(contentsOfFile: part, encoding: .utf8)).replacingOccurrences(of: ",0.", with: ",1.").write(toFile: part, atomically: true, encoding: .utf8)
        let edited = try CLI.run(["join", "--out", out, "--shards", "2"])
        #expect(edited.status != 0 && edited.error.contains("sharded.shard-1-of-2.csv is missing or changed since"), "\(edited.error)")
    }

    @Test func idsAndCarriedColumnsStayExactInCSVAndFITS() throws {
        let (_, folder, images) = try CatalogueCLITests.setUp
        let rows = [("007", "a"), ("0102474", "b,c"), ("12", "line\nbreak")].enumerated().map { i, row in "\(row.0),\"\(row.1)\",\(images[i])" }
        try ("objid,note,file\n" + rows.joined(separator: "\n") + "\n").write(toFile: folder + "/text-ids.csv", atomically: true, encoding: .utf8)
        let big = ["18446744073709551615", "9223372036854775808", "1237648720693755000"].enumerated().map { "\($1),\(images[$0])" }
        try ("objid,file\n" + big.joined(separator: "\n") + "\n").write(toFile: folder + "/big-ids.csv", atomically: true, encoding: .utf8)
        for name in ["text-ids", "big-ids"] {
            for ext in ["csv", "fits"] {
                let result = try predict(folder + "/\(name).csv", folder + "/\(name).out.\(ext)")
                #expect(result.status == 0, "\(name).\(ext): \(result.error)")
            }
        }
        #expect(try String(contentsOfFile: folder + "/text-ids.out.csv", encoding: .utf8).contains("\n0102474,\"b,c\","))
        let check = try TestSupport.python("""
            from astropy.table import Table
            for name in ['text-ids', 'big-ids']:
                for ext in ['csv', 'fits']:
                    t = Table.read('\(folder)/' + name + '.out.' + ext, **({'format': 'ascii.csv'} if ext == 'csv' else {}))
                    print(name, ext, {'S': 'text', 'U': 'text'}.get(t['objid'].dtype.kind, t['objid'].dtype.kind), ' '.join(str(v) for v in t['objid']))
            print(repr(str(Table.read('\(folder)/text-ids.out.fits')['note'][2])))
            """).split(separator: "\n").map(String.init)
        #expect(check[2].hasPrefix("big-ids csv") && check[2].hasSuffix("18446744073709551615 9223372036854775808 1237648720693755000"), "\(check)")
        #expect(check[1] == "text-ids fits text 007 0102474 12", "\(check)")
        #expect(check[3] == "big-ids fits u 18446744073709551615 9223372036854775808 1237648720693755000", "\(check)")
        #expect(check[4] == "'line\\nbreak'", "\(check)")
        // The duplicate-ID rule holds for text IDs; clashing and case-clashing names are refused by name.
        let refusals = [("objid,file\n007,\(images[0])\n007,\(images[1])\n", "csv", "007"),
                        ("objid,Class1.1,file\n1,2,\(images[0])\n", "csv", "\"Class1.1\""),
                        ("objid,Mag,mag,file\n1,2,3,\(images[0])\n", "fits", "\"mag\"")]
        for (i, (text, ext, named)) in refusals.enumerated() {
            try text.write(toFile: folder + "/refused-\(i).csv", atomically: true, encoding: .utf8)
            let result = try predict(folder + "/refused-\(i).csv", folder + "/refused-\(i).out.\(ext)")
            #expect(result.status != 0 && result.error.contains("refused-\(i).csv") && result.error.contains(named), "\(i): \(result.error)")
        }
    }

    @Test func outputsNeverOverwriteInputsAndTheirExtensionDecidesTheFormat() throws {
        let (run, folder, images) = try CatalogueCLITests.setUp
        let csv = try CatalogueCLITests.catalogue(rows: 3, name: "precious.csv"), before = try Data(contentsOf: URL(fileURLWithPath: csv))
        let onTop = try predict(csv, csv)
        #expect(onTop.status != 0 && onTop.error.contains("input") || onTop.error.contains("catalogue itself"), "\(onTop.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: csv)) == before)
        let png = try predict(csv, folder + "/table.png")
        #expect(png.status != 0 && png.error.contains(".csv or .fits"), "\(png.error)")
        let image = folder + "/" + images[0], jpeg = try Data(contentsOf: URL(fileURLWithPath: image))
        for arguments in [["inspect", image, "--out", image], ["montage", image, "--out", folder + "/grid.jpg"],
                          ["predict", "--run", run, "--images", folder + "/mock/images_training_rev1", "--out", folder + "/p.fits"]] {
            let result = try CLI.run(arguments)
            #expect(result.status != 0 && result.error.contains("extension") || result.error.contains("input"), "\(arguments): \(result.error)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: image)) == jpeg)
    }

    /// An image whose Petrosian radius cannot be measured is inspected, not crashed on, and the
    /// fallback is said.
    @Test func inspectSaysWhenThePetrosianRadiusIsMissing() throws {
        let (_, folder, images) = try CatalogueCLITests.setUp
        var said = 0
        for image in images.prefix(8) {
            let result = try CLI.run(["inspect", folder + "/" + image, "--out", scratch("inspect") + ".png"])
            #expect(result.status == 0, "\(image): \(result.error)")
            if result.output.contains("Petrosian radius nan") { said += result.output.contains("no Petrosian radius could be measured") ? 1 : 0 }
            else { said += 1 }
        }
        #expect(said == 8)
    }

    @Test func gzippedFITSCataloguesAreRead() throws {
        let (_, folder, _) = try CatalogueCLITests.setUp
        let csv = try CatalogueCLITests.catalogue(rows: 4, name: "zipped.csv")
        _ = try TestSupport.python("""
            from astropy.table import Table
            Table.read('\(csv)', format='ascii.csv', encoding='utf-8-sig').write('\(folder)/zipped.fits.gz', overwrite=True)
            """)
        let result = try predict(folder + "/zipped.fits.gz", folder + "/zipped.out.csv")
        #expect(result.status == 0 && result.output.contains("4 predicted"), "\(result.output) \(result.error)")
    }
}
