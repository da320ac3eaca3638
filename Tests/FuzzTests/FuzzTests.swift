import Foundation
import Testing
import GalaxyTensor
import GalaxyLayers
import GalaxyImaging
import GalaxyFITS
import GalaxyZoo
import GalaxyNetwork
import GalaxyModels
import TestSupport

/// The shared data folder next to the repository.
let shared = TestSupport.sharedDataRoot

func contents(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path)!) }

/// Every reader of files people hand to GalaxyNet, fed mutants of real files: no input may crash
/// it, and every rejection must name the file. Figures are printed for the record.
@Suite("Fuzzing the readers")
struct FuzzTests {
    func report(_ target: String, _ result: Mutator.Outcome) {
        print("fuzz \(target): \(result.iterations) inputs, \(result.accepted) accepted, \(result.rejected) rejected, "
              + "\(result.unnamed.count) rejections without the file's name")
        #expect(result.accepted >= 1, "\(target): the unmutated corpus must be accepted")
        #expect(result.accepted + result.rejected == result.iterations)
        #expect(result.unnamed.isEmpty, "\(target): errors that do not name the file: \(result.unnamed)")
    }

    @Test func kaggleCSV() {
        let lines = String(decoding: contents(shared + "/kaggle-sample/training_solutions_rev1.csv"), as: UTF8.self).split(separator: "\n")
        let corpus = [("solutions.csv", Array((lines.prefix(6).joined(separator: "\n") + "\n").utf8))]
        report("kaggle-csv", Mutator.run("kaggle-csv", corpus: corpus) { _ = try KaggleCSV.read($0) })
    }

    @Test func decisionTreeAndVoteCounts() throws {
        let tree = DecisionTree.gzDECaLSDR5
        report("decision-tree", Mutator.run("decision-tree", corpus: [("tree.json", Array(tree.json.utf8))]) { _ = try DecisionTree.named($0) })
        let header = VoteCounts.header(tree).joined(separator: ",")
        var g = SeededGenerator(seed: 2)
        var rows: [String] = []
        for id in [11, 12, 13] {
            var counts = [Int](repeating: 0, count: tree.outputCount)
            for q in tree.questions {
                // Volunteers reaching each question: all at the top, then a share of the parent answer's votes.
                let reach = q.parent.map { counts[$0.column] } ?? 10
                for _ in 0..<reach { counts[q.columns.lowerBound + Int(g.next() % UInt64(q.columns.count))] += 1 }
            }
            rows.append(([String(id)] + tree.questions.flatMap { q in [String(q.columns.reduce(0) { $0 + counts[$1] })] + q.columns.map { String(counts[$0]) } })
                .joined(separator: ","))
        }
        let text = ([header] + rows).joined(separator: "\n") + "\n"
        report("vote-counts", Mutator.run("vote-counts", corpus: [("votes.csv", Array(text.utf8))]) { _ = try VoteCounts.read($0, tree: tree) })
    }

    @Test func catalogueCSV() throws {
        let text = "id,file,ra,dec\n1,a.jpg,10.5,-3.25\n\"2\",\"b, c.fits\",11,\"-4\"\n3,\"quoted \"\"name\"\".jpg\",12.5,1e-3\n007,d.jpg,1,2\n"
        var tables = CarriedTables()
        report("catalogue-csv", Mutator.run("catalogue-csv", corpus: [("catalogue.csv", Array(text.utf8))]) { try tables.carry($0) })
        try tables.checkWithAstropy()
    }

    @Test func safetensorsAndModelJSON() throws {
        var g = SeededGenerator(seed: 1)
        let tensors = [("a.weight", Tensor.randomNormal(shape: [3, 4], standardDeviation: 1, generator: &g)),
                       ("a.bias", Tensor(zeros: [4])), ("b", Tensor.randomNormal(shape: [2, 1, 3], standardDeviation: 1, generator: &g))]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-seed-\(UUID().uuidString).safetensors").path
        try SafeTensors.write(tensors, metadata: ["model": "fuzz"], to: file)
        report("safetensors", Mutator.run("safetensors", corpus: [("w.safetensors", contents(file))]) { _ = try SafeTensors.read($0) })
        let small = ModelConfiguration.builtIn.first { $0.name == "small" }!
        report("model-json", Mutator.run("model-json", corpus: [("model.json", Array(small.json.utf8))]) { path in
            let configuration = try ModelConfiguration.named(path)
            // What loads must build: a model of a decoded configuration (small ones only, to keep the run short).
            if configuration.parameterCount < 3_000_000 {
                var g = SeededGenerator(seed: 0)
                _ = GalaxyModel(configuration, generator: &g, backend: ReferenceBackend.shared)
            }
        })
    }

    /// A model file (`galaxynet export`) of a small model: its metadata, configuration and
    /// checksummed tensors.
    @Test func modelFile() throws {
        var small = ModelConfiguration.builtIn.first { $0.name == "small" }!
        small.convolutions = small.convolutions.map { var c = $0; c.filters = 4; return c }
        small.dense = small.dense.map { var d = $0; d.units = 16; return d }
        var g = SeededGenerator(seed: 2)
        let folder = ModelFolder(FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-model-\(UUID().uuidString)").path)
        try folder.write(GalaxyModel(small, generator: &g, backend: ReferenceBackend.shared))
        let file = folder.path + ".gnm"
        try ModelFile.write(folder, card: "# a card", to: file)
        report("model-file", Mutator.run("model-file", corpus: [("m.gnm", contents(file))]) { _ = try ModelFile.load($0, backend: ReferenceBackend.shared) })
    }

    @Test func jpeg() {
        let corpus = ["100008", "100023"].map { ("\($0).jpg", contents(shared + "/kaggle-sample/images_training_rev1/\($0).jpg")) }
        report("jpeg", Mutator.run("jpeg", corpus: corpus) { _ = try ImageSource.read($0) })
    }

    @Test func fitsCutoutAndTable() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-fits-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let image = try FITSFile.create(folder + "/cutout.fits")
        try image.writeImage(shape: [24, 24, 3], values: (0..<(3 * 24 * 24)).map { Float($0 % 97) / 97 })
        try image.setNumber("CDELT1", -0.396 / 3600)
        try image.setNumber("CDELT2", 0.396 / 3600)
        try image.close()
        let corpus = [("cutout.fits", contents(folder + "/cutout.fits"))]
        report("fits-cutout", Mutator.run("fits-cutout", corpus: corpus, read: { _ = try ImageSource.read($0) }))
        let table = try FITSFile.create(folder + "/catalogue.fits")
        try table.createTable(name: "CAT", columns: [FITSFile.Column("id", "K"), FITSFile.Column("file", "12A"), FITSFile.Column("ra", "D")])
        try table.write([Int64(1), 2, 3], column: 1, firstRow: 0)
        try table.write(["a.fits", "b c.jpg", "d.jpg"], column: 2, firstRow: 0)
        try table.write([10.5, -3.25, 1e-3], column: 3, firstRow: 0)
        try table.close()
        var tables = CarriedTables()
        report("fits-table", Mutator.run("fits-table", corpus: [("catalogue.fits", contents(folder + "/catalogue.fits"))]) { try tables.carry($0) })
        try tables.checkWithAstropy()
    }
}
