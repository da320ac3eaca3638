import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyFITS
import GalaxyModels
import GalaxyTraining
import GalaxyPrediction

/// `galaxynet info`: how a run or an output was made.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info",
        abstract: "Say how a run or a prediction output was made: the model, its training progress and every session's provenance (version, commit, command, kernels and ISA, processes, hosts, input checksums).",
        discussion: "Give a run folder (its provenance.json), a FITS table GalaxyNet wrote (its GN* header keywords) or a CSV (its NAME.provenance.json sidecar).")

    @Argument(help: "A run or model folder, or a prediction output (.fits, .csv).") var path: String

    func run() throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw ValidationError("\(path) does not exist") }
        if isFolder.boolValue { return try describeRun() }
        if (path as NSString).pathExtension.lowercased() == "fits" { return try describeFITS() }
        if ModelFile.isModelFile(path) {
            let m = try ModelFile.metadata(path), configuration = try ModelFile.configuration(path)
            return print("model file \(m["format"] ?? "?") written by GalaxyNet \(m["galaxynet"] ?? "?"): \(configuration.name), tree \(configuration.tree.name), "
                         + "update \(m["step"] ?? "?")\nmodel checksum: \(m["fingerprint"] ?? "?")\nweights CRC-32: \(m["tensors-crc32"] ?? "?")\ncard: galaxynet card \(path)")
        }
        let sidecar = OutputProvenance.sidecar(for: path)
        guard FileManager.default.fileExists(atPath: sidecar) else {
            throw ValidationError("\(path) has no provenance: GalaxyNet writes it beside its CSV outputs as \(sidecar)")
        }
        print(try Provenance.read(Provenance.self, from: sidecar).description.joined(separator: "\n"))
    }

    func describeRun() throws {
        let run = RunFolder(path)
        let configuration = try run.model.loadConfiguration()
        let cutout = configuration.cutout
        print("model: \(configuration.name) (\(configuration.parameterCount) parameters), tree \(configuration.tree.name), loss \(configuration.objective.rawValue), "
              + "\(cutout.bands) band\(cutout.bands == 1 ? "" : "s"), \(cutout.size) px at \(cutout.pixelScale)″/px")
        print("model checksum: \(try run.model.fingerprint())")
        if FileManager.default.fileExists(atPath: run.optionsFile) {
            let (_, options) = try run.loadConfiguration()
            let state = run.hasCheckpoint ? try run.readState() : nil
            print("training: step \(state?.step ?? 0) of \(options.steps)" + (state?.bestValidationRMSE.map { String(format: ", best validation RMSE %.4f", $0) } ?? ""))
            if let dataset = try? run.recordedDataset() { print("data: \(dataset.path)" + (dataset.labelsChecksum.map { " (labels CRC-32 \($0))" } ?? "")) }
        }
        let sessions = try run.sessions()
        if sessions.isEmpty { print("no provenance recorded (a run from before GalaxyNet recorded it, or an exported model)") }
        for (n, session) in sessions.enumerated() {
            print("session \(n + 1)" + (session.firstStep.map { ", from step \($0)" } ?? "") + ":")
            for line in session.description { print("  " + line) }
        }
    }

    func describeFITS() throws {
        let file = try FITSFile.open(path)
        defer { try? file.close() }
        _ = try file.move(to: 2)
        let found = OutputProvenance.keywordNames.compactMap { name in file.text(name).map { "\(name) = \($0)" } }
        guard !found.isEmpty else { throw ValidationError("\(path) carries no GalaxyNet keywords (GNVERSN, GNMODEL, …) in its table header") }
        print(found.joined(separator: "\n"))
    }
}
