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

/// `galaxynet blend`.
struct BlendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "blend",
        abstract: "Blend several models' predictions: uniform, weighted on validation, per answer; prune useless models.")

    @Option(parsing: .upToNextOption, help: "Each model's validation predictions (CSV).") var validation: [String]
    @Option(parsing: .upToNextOption, help: "Each model's test predictions (CSV), in the same model order.") var test: [String] = []
    @Option(help: "True vote fractions of the validation images.") var truth: String
    @Option(help: "Output CSV of the pruned uniform blend of the test predictions (.npy beside it).") var out: String?
    @OptionGroup var decisionTree: TreeOptions

    func validate() throws {
        guard validation.count >= 2 else { throw ValidationError("give at least two models' --validation predictions") }
        guard test.isEmpty || test.count == validation.count else { throw ValidationError("--test needs one file per --validation file") }
        // Either alone would do nothing: --out writes the blend of the --test predictions.
        guard test.isEmpty == (out == nil) else { throw ValidationError("--out and --test go together: --out writes the blend of the --test predictions") }
        if let out { try OutputPath.check(out, extensions: ["csv"], inputs: validation + test + [truth]) }
    }

    func run() throws {
        let tree = try decisionTree.tree
        let truthTable = try KaggleCSV.read(truth, tree: tree)
        let matched = try validation.map { try Report.matched(try KaggleCSV.read($0, tree: tree), truthTable, predictionsFile: $0, truthFile: truth) }
        guard Set(matched.map { $0.0.ids }).count == 1 else { throw ValidationError("the validation files cover different galaxies") }
        let report = BlendReport(models: validation, validation: matched.map { $0.0.values }, truth: matched[0].1.values, tree: tree)
        print(report.text)
        if let out {
            let tables = try test.map { try KaggleCSV.read($0, tree: tree).sortedByID() }
            guard Set(tables.map(\.ids)).count == 1 else { throw ValidationError("the test files cover different galaxies") }
            let npy = try PredictionFiles.write(GalaxyTable(ids: tables[0].ids, values: report.submission(tables.map(\.values)), width: tree.outputCount), tree: tree, to: out)
            print("wrote \(out) and \(npy)")
        }
    }
}
