import Foundation
import Testing
import TestSupport

/// `galaxynet export` and `card`, and a model file used wherever a run is.
@Suite("One model file")
struct ModelFileCLITests {
    @Test func anExportedModelPredictsAsItsRunAndCarriesItsCard() throws {
        let (run, folder, images) = try CatalogueCLITests.setUp
        let file = scratch("model") + ".gnm"
        let exported = try CLI.run(["export", "--run", run, "--out", file])
        #expect(exported.status == 0 && exported.output.contains("wrote \(file): model checksum "), "\(exported.output) \(exported.error)")
        let again = try CLI.run(["export", "--run", run, "--out", file])
        #expect(again.status != 0 && again.error.contains("already exists"), "\(again.error)")
        let card = try CLI.setUp(["card", file])
        let data = try String(contentsOfFile: run + "/data.txt", encoding: .utf8).split(separator: " ").last.map(String.init)?.trimmingCharacters(in: .whitespacesAndNewlines)
        for part in ["# small: Galaxy Zoo morphology (gz2 tree)", "## What it does", "## Training", "## Figures", "## Intended use", "## Limits",
                     "labels CRC-32 `\(data ?? "?")`", "Validation RMSE", "a GalaxyNet mock universe"] {
            #expect(card.contains(part), "\(part) missing from the card:\n\(card)")
        }
        // The same predictions, and outputs that name the same model, from the file as from the run.
        let list = scratch("images")
        try FileManager.default.createDirectory(atPath: list, withIntermediateDirectories: true)
        for image in images.prefix(5) {
            try FileManager.default.copyItem(atPath: folder + "/" + image, toPath: list + "/" + (image as NSString).lastPathComponent)
        }
        try CLI.setUp(["predict", "--run", run, "--images", list, "--tta", "1", "--out", folder + "/from-run.csv"])
        try CLI.setUp(["predict", "--model", file, "--images", list, "--tta", "1", "--out", folder + "/from-file.csv"])
        #expect(FileManager.default.contents(atPath: folder + "/from-run.csv") == FileManager.default.contents(atPath: folder + "/from-file.csv"))
        let model = try CLI.setUp(["info", run]).split(separator: "\n").first { $0.hasPrefix("model checksum: ") }
        let sidecar = try CLI.setUp(["info", folder + "/from-file.csv"])
        #expect(model != nil && sidecar.contains("model: CRC-32 \(model?.dropFirst(16) ?? "?")"), "\(sidecar)")
        let noData = try CLI.run(["predict", "--model", file, "--out", folder + "/none.csv"])
        #expect(noData.status != 0 && noData.error.contains("give --images or --catalog"), "\(noData.error)")
        // Others read it as safetensors: the header, then the float32 tensors.
        let read = try TestSupport.python("""
            import json, struct
            raw = open('\(file)', 'rb').read()
            n = struct.unpack('<Q', raw[:8])[0]
            header = json.loads(raw[8:8 + n])
            meta = header.pop('__metadata__')
            print(meta['format'], len(header), json.loads(meta['model.json'])['name'])
            """)
        #expect(read.hasPrefix("galaxynet-model/1 ") && read.hasSuffix(" small\n"), "\(read)")
    }

    @Test func aDamagedOrForeignModelFileIsRefusedByName() throws {
        let (run, folder, _) = try CatalogueCLITests.setUp
        let file = scratch("damaged") + ".gnm"
        try CLI.setUp(["export", "--run", run, "--out", file])
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count - 100] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: file))
        let image = folder + "/" + (try CatalogueCLITests.setUp.images[0])
        let damaged = try CLI.run(["classify", "--model", file, image, "--tta", "1"])
        #expect(damaged.status != 0 && damaged.error.contains(file) && damaged.error.contains("damaged"), "\(damaged.error)")
        let foreign = scratch("foreign") + ".gnm"
        try FileManager.default.copyItem(atPath: run + "/checkpoint/weights.safetensors", toPath: foreign)
        let refused = try CLI.run(["classify", "--model", foreign, image, "--tta", "1"])
        #expect(refused.status != 0 && refused.error.contains("not a GalaxyNet model file"), "\(refused.error)")
    }
}
