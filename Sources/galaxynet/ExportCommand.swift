import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyModels
import GalaxyTraining

/// `galaxynet export`: a run as one model file with its card.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export",
        abstract: "Write a trained run as one model file (NAME.gnm: weights, configuration, tree, cutout format, figures and a model card; safetensors inside) that predict, classify and calibrate take with --model.")

    @Option(name: .customLong("run"), help: "A trained run.") var runPath: String
    @Option(help: "The model file to write (.gnm; refused if it exists).") var out: String

    func validate() throws {
        try OutputPath.check(out, extensions: ["gnm"], inputs: [runPath])
    }

    func run() throws {
        let run = RunFolder(runPath)
        try ModelFile.write(run.model, card: try ModelCard.markdown(run), to: out)
        let metadata = try ModelFile.metadata(out)
        print("wrote \(out): model checksum \(metadata["fingerprint"] ?? "?"), weights CRC-32 \(metadata["tensors-crc32"] ?? "?"); galaxynet card \(out) prints its card")
    }
}

/// `galaxynet card`: a model file's card.
struct CardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "card", abstract: "Print a model file's model card (Markdown).")

    @Argument(help: "A model file (.gnm).") var model: String

    func run() throws { print(try ModelFile.metadata(model)["card.md"] ?? "", terminator: "") }
}
