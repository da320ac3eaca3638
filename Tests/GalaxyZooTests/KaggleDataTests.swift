import Foundation
import Testing
import GalaxyZoo
import TestSupport

enum Shared {
    static var data: URL { URL(fileURLWithPath: TestSupport.sharedDataRoot) }
    static var kaggle: String { data.appendingPathComponent("kaggle-sample").path }
}

func temporaryFolder() -> String { TestSupport.temporaryFolder() }

@Suite("Kaggle data")
struct KaggleDataTests {
    let realSolutions = Shared.kaggle + "/training_solutions_rev1.csv"

    @Test func readsTheRealSampleAndItObeysTheTree() throws {
        let table = try KaggleCSV.read(realSolutions)
        #expect(table.ids == [100008, 100023, 100053, 100134])
        #expect(abs(table.row(0).first! - 0.383147) < 1e-6)
        #expect(LabelCheck.violations(in: table).isEmpty)
    }

    @Test func opensTheRealSampleFolder() throws {
        let dataset = try KaggleDataset(root: Shared.kaggle)
        #expect(dataset.labels.count == 4)
        #expect(dataset.testIDs == [242195, 784597, 870891])
        let (training, validation) = dataset.split
        #expect(training == [0, 1, 2, 3] && validation.isEmpty)  // 4 // 10 = 0 validation rows
    }

    @Test func splitKeepsTheHighestIDsForValidation() {
        // 61,578 rows → 6,157 validation rows (original-solution-spec.md §1.2).
        let n = 61_578
        #expect(n / 10 == 6_157 && n - n / 10 == 55_421)
    }

    @Test func labelCheckCatchesPlantedViolations() throws {
        var table = try KaggleCSV.read(realSolutions)
        table.values[3] += 0.1         // row 0, A2.1: Q2 no longer sums to A1.2, Q9 no longer to A2.1
        table.values[37 + 13] = 0.5    // row 1, A6.1: Q6 no longer sums to 1, Q8 no longer to A6.1
        let found = LabelCheck.violations(in: table)
        #expect(Set(found.map { "\($0.galaxyID):\($0.question)" }) == ["100008:2", "100008:9", "100023:6", "100023:8"])
        #expect(found.first?.line == 2)
    }

    @Test func roundTripsSubmissionsInAscendingOrder() throws {
        let folder = temporaryFolder()
        let original = try KaggleCSV.read(realSolutions)
        let shuffled = original.subset([2, 0, 3, 1])
        let path = folder + "/submission.csv"
        try KaggleCSV.write(shuffled, to: path)
        let back = try KaggleCSV.read(path)
        #expect(back.ids == original.ids)
        #expect(zip(back.values, original.values).allSatisfy { abs($0 - $1) < 1e-6 })
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix(KaggleCSV.header() + "\n"))
        #expect(text.split(separator: "\n").first == (try String(contentsOfFile: realSolutions, encoding: .utf8)).split(separator: "\n").first)
    }

    static let row = "100008," + Array(repeating: "0", count: 37).joined(separator: ",")

    @Test(arguments: [
        ("GalaxyID,Class1.1\n", 1, "header"),
        (KaggleCSV.header() + "\n" + row + ",0\n", 2, "expected 38"),
        (KaggleCSV.header() + "\n" + row.replacingOccurrences(of: "100008,0", with: "100008,abc") + "\n", 2, "Class1.1 is \"abc\", not a number"),
        (KaggleCSV.header() + "\n" + row.replacingOccurrences(of: "100008,0", with: "100008,nan") + "\n", 2, "Class1.1 is NaN"),
        (KaggleCSV.header() + "\n" + row.replacingOccurrences(of: "100008,0", with: "100008,1.5") + "\n", 2, "outside [0, 1]"),
        (KaggleCSV.header() + "\n" + row.replacingOccurrences(of: "100008,0", with: "100008,-0.1") + "\n", 2, "outside [0, 1]"),
        (KaggleCSV.header() + "\n" + row + "\n" + row + "\n", 3, "duplicate GalaxyID 100008 (first on line 2)"),
        (KaggleCSV.header() + "\n" + row.replacingOccurrences(of: "100008,", with: "x1,") + "\n", 2, "GalaxyID \"x1\""),
        (KaggleCSV.header() + "\n" + row.replacingOccurrences(of: "100008,0", with: "100008,") + "\n", 2, "Class1.1 is \"\", not a number"),
        (KaggleCSV.header() + "\n" + "0" + row + "\n", 2, "GalaxyID \"0100008\" must be written without leading zeros"),
        ("\u{FEFF}" + KaggleCSV.header() + "\n", 1, "byte-order mark"),
        (KaggleCSV.header().replacingOccurrences(of: ",Class7.2", with: "") + "\n", 1, "missing column Class7.2"),
        (KaggleCSV.header() + ",Notes\n", 1, "unexpected column \"Notes\""),
        (KaggleCSV.header().replacingOccurrences(of: "Class1.1,Class1.2", with: "Class1.2,Class1.1") + "\n", 1, "column 2 is Class1.2, expected Class1.1"),
    ])
    func malformedFilesNameFileLineAndReason(text: String, line: Int, reason: String) throws {
        let path = temporaryFolder() + "/bad.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(throws: KaggleDataError.self) { try KaggleCSV.read(path) }
        #expect(error.description.hasPrefix("\(path):\(line):"), "\(error)")
        #expect(error.description.contains(reason), "\(error)")
    }

    @Test func imageNamesWithLeadingZerosAreRefused() throws {
        let folder = temporaryFolder() + "/images"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["102474.jpg", "0102474.jpg"] { FileManager.default.createFile(atPath: folder + "/" + name, contents: Data()) }
        let error = try #require(throws: KaggleDataError.self) { try KaggleDataset.listImages(in: folder) }
        #expect(error.description.contains("0102474.jpg") && error.description.contains("rename it 102474.jpg"), "\(error)")
    }

    @Test func labelWithoutImageAndImageWithoutLabelAreErrors() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/images_training_rev1", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: realSolutions, toPath: folder + "/training_solutions_rev1.csv")
        for id in [100008, 100023, 100053] {
            try FileManager.default.copyItem(atPath: Shared.kaggle + "/images_training_rev1/\(id).jpg", toPath: folder + "/images_training_rev1/\(id).jpg")
        }
        let missing = try #require(throws: KaggleDataError.self) { try KaggleDataset(root: folder) }
        #expect(missing.description.contains("training_solutions_rev1.csv:5") && missing.description.contains("100134 has no image"), "\(missing)")
        try FileManager.default.copyItem(atPath: Shared.kaggle + "/images_training_rev1/100134.jpg", toPath: folder + "/images_training_rev1/100134.jpg")
        try FileManager.default.copyItem(atPath: Shared.kaggle + "/images_training_rev1/100134.jpg", toPath: folder + "/images_training_rev1/999999.jpg")
        let orphan = try #require(throws: KaggleDataError.self) { try KaggleDataset(root: folder) }
        #expect(orphan.description.contains("999999.jpg") && orphan.description.contains("no row"), "\(orphan)")
        try FileManager.default.removeItem(atPath: folder + "/images_training_rev1/999999.jpg")
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/images_training_rev1/notes.txt"))
        let stray = try #require(throws: KaggleDataError.self) { try KaggleDataset(root: folder) }
        #expect(stray.description.contains("notes.txt"), "\(stray)")
    }

    @Test func npyRoundTripAndNumPyReadsIt() throws {
        let path = temporaryFolder() + "/predictions.npy"
        let values = (0..<(5 * 37)).map { Float($0) / 185 }
        try NPY.write(shape: [5, 37], values: values, to: path)
        let back = try NPY.read(path)
        #expect(back.shape == [5, 37] && back.values == values)
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        #expect((bytes.count - 4 * values.count) % 64 == 0, "header padded to 64 bytes")
        // NumPy itself, when this machine has it.
        if let text = try TestSupport.numpy("import numpy as n; a = n.load('\(path)'); print(a.shape, a.dtype, float(a.sum()))") {
            #expect(text.hasPrefix("(5, 37) float32"), "numpy printed \(text)")
            #expect(abs((TestSupport.lastNumber(text) ?? 0) - Double(values.reduce(0, +))) < 1e-3)
        }
    }
}
