import Foundation
import Testing
import TestSupport

/// `galaxynet finetune`: a new question on a trained run's trunk, an ordinary run afterwards.
@Suite("Finetuning", .serialized)
struct FinetuneCLITests {
    /// Labels "smooth" / "other" for the mock's galaxies (from its truth), and the common arguments.
    static func prepared() throws -> (run: String, folder: String, labels: String, arguments: [String]) {
        let (run, folder, _) = try CatalogueCLITests.setUp
        let truth = try String(contentsOfFile: folder + "/mock/truth.csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let kind = truth[0].firstIndex(of: "kind")!, set = truth[0].firstIndex(of: "set")!
        let rows = truth.dropFirst().filter { $0[set] == "training" }.map { "\($0[0]),\($0[kind] == "smooth" ? "smooth" : "other")\n" }
        let labels = folder + "/kind.csv"
        try ("id,kind\n" + rows.joined()).write(toFile: labels, atomically: true, encoding: .utf8)
        return (run, folder, labels, ["finetune", "--from", run, "--labels", labels, "--images", folder + "/mock/images_training_rev1",
                                      "--target", "kind", "--task", "binary", "--patience", "0", "--workers", "1"])
    }

    @Test func aFinetuneKeepsItsFrozenTrunkPredictsByNameAndResumesToTheSameResult() throws {
        let (run, folder, _, arguments) = try Self.prepared()
        let whole = folder + "/ft-whole"
        let result = try CLI.run(arguments + ["--steps", "40", "--unfreeze", "1", "--out", whole])
        #expect(result.status == 0 && result.output.contains("trunk parameters copied; training dense1, output, the rest frozen"), "\(result.output) \(result.error)")
        #expect(result.output.contains("answers: kind_other_fraction, kind_smooth_fraction"), "\(result.output)")
        // The frozen convolutions are the trained run's, to the byte; the trained dense layer moved.
        guard let same = try TestSupport.numpy("""
            import json, struct, numpy
            def read(path):
                raw = open(path, 'rb').read(); n = struct.unpack('<Q', raw[:8])[0]; header = json.loads(raw[8:8 + n])
                return {k: raw[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]] for k, v in header.items() if k != '__metadata__'}
            a = read('\(run)/checkpoint/weights.safetensors'); b = read('\(whole)/checkpoint/weights.safetensors')
            print(a['conv.0.weight'] == b['conv.0.weight'], a['conv.3.bias'] == b['conv.3.bias'], a['dense.0.weight'] == b['dense.0.weight'], 'output.weight' in b)
            """) else { return }
        #expect(same == "True True False True\n", "\(same)")
        // An ordinary run: predict writes the task's columns.
        let predicted = try CLI.run(["predict", "--run", whole, "--images", folder + "/mock/images_training_rev1", "--tta", "1", "--out", folder + "/ft.csv"])
        #expect(predicted.status == 0, "\(predicted.error)")
        #expect(try String(contentsOfFile: folder + "/ft.csv", encoding: .utf8).hasPrefix("GalaxyID,kind_other_fraction,kind_smooth_fraction\n"))
        // Killed mid-run (SIGTERM: a checkpoint, exit 130) and resumed: the same weights as the run never stopped.
        let stopped = folder + "/ft-stopped"
        let (status, text) = try CLI.interrupted(arguments + ["--steps", "40", "--unfreeze", "1", "--out", stopped], once: stopped + "/log.jsonl")
        #expect(status == 130 && text.contains("continue with: galaxynet train --resume \(stopped)"), "\(text)")
        let resumed = try CLI.run(["train", "--resume", stopped, "--workers", "1"])
        #expect(resumed.status == 0 && resumed.output.contains("finished at step 40"), "\(resumed.output) \(resumed.error)")
        for file in ["weights.safetensors", "optimizer.safetensors"] {
            #expect(try Data(contentsOf: URL(fileURLWithPath: whole + "/checkpoint/" + file)) == Data(contentsOf: URL(fileURLWithPath: stopped + "/checkpoint/" + file)), "\(file)")
        }
    }

    @Test func badLabelsAreRefusedByName() throws {
        let (_, folder, labels, arguments) = try Self.prepared()
        let one = folder + "/one-class.csv"
        try "id,kind\n1,smooth\n2,smooth\n".write(toFile: one, atomically: true, encoding: .utf8)
        let single = try CLI.run(arguments.map { $0 == labels ? one : $0 } + ["--out", folder + "/bad1"])
        #expect(single.status != 0 && single.error.contains("one-class.csv: column kind holds only one class (smooth)"), "\(single.error)")
        let unknown = try CLI.run(arguments + ["--classes", "smooth,disk", "--out", folder + "/bad2"])
        #expect(unknown.status != 0 && unknown.error.contains("\"other\" is not one of the classes smooth, disk"), "\(unknown.error)")
        let column = try CLI.run(arguments.map { $0 == "kind" ? "shape" : $0 } + ["--out", folder + "/bad3"])
        #expect(column.status != 0 && column.error.contains("no target column \"shape\""), "\(column.error)")
        // NEWRUN.dataset is written only where a finetune wrote it: someone's file there is not overwritten.
        try FileManager.default.createDirectory(atPath: folder + "/bad5.dataset", withIntermediateDirectories: true)
        try "notes".write(toFile: folder + "/bad5.dataset/notes.txt", atomically: true, encoding: .utf8)
        let foreign = try CLI.run(arguments + ["--out", folder + "/bad5"])
        #expect(foreign.status != 0 && foreign.error.contains("bad5.dataset: holds notes.txt, which a finetune did not write"), "\(foreign.error)")
        #expect(try String(contentsOfFile: folder + "/bad5.dataset/notes.txt", encoding: .utf8) == "notes")
        let blocks = try CLI.run(arguments + ["--unfreeze", "9", "--out", folder + "/bad4"])
        #expect(blocks.status != 0 && blocks.error.contains("--unfreeze 9: the model has 5 blocks (conv1, conv2, conv3, conv4, dense1)"), "\(blocks.error)")
    }
}
