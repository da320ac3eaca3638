import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyImaging
import GalaxyModels
import GalaxyZoo
import GalaxyTraining
import GalaxyPrediction
import GalaxyDistributed
import GalaxyMock

/// `galaxynet classify`.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classify",
        abstract: "The answers (37 for gz2) for a few images and a readable walk down the decision tree.")

    @Option(name: [.customLong("run"), .customLong("model")], help: "Run directory with a checkpoint, or a model file (--model NAME.gnm).") var runPath: String
    @Argument(help: "Images (JPEG or FITS cutouts).") var images: [String]
    @OptionGroup var augmentation: TTAOptions
    @OptionGroup var fits: FITSOptionGroup
    @OptionGroup var compute: BackendOptions

    func run() throws {
        let predictor = try Predictor(folder: ModelFolder(runPath), backend: compute.backend.backend, tta: augmentation.tta)
        let reader = try fits.reader
        let extractions = predictor.model.configuration.centred ? try SourceExtractor.extract(files: images, reader: reader) : nil
        let values = try predictor.predict(paths: images, extractions: extractions, reader: reader)
        let tree = predictor.model.configuration.tree, n = tree.outputCount
        for (i, image) in images.enumerated() {
            let v = Array(values[(i * n)..<((i + 1) * n)])
            print("\(image)")
            print("  " + tree.describePath(v))
            print("  " + tree.answers.map { String(format: "%@ %.3f", $0.name, v[$0.column]) }.joined(separator: " "))
        }
    }
}
