import GalaxyCore
import ArgumentParser
import Foundation
import GalaxyZoo
import GalaxyMock
import GalaxyTraining
import GalaxyPrediction

/// `galaxynet compare`: training runs side by side (time to accuracy).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Training runs on one dataset side by side: validation RMSE against images seen (SVG) and the images each needs to reach a target.")

    @Argument(help: "Run folders; the first is the reference unless --reference says otherwise.") var runs: [String]
    @Option(help: "Labels for the runs, comma-separated (default: folder names).") var labels: String?
    @Option(help: "Indices (0-based, comma-separated) of the reference runs, e.g. the seeds of one recipe: the target is the mean of their final validation RMSEs, and shares are of the first one's images.")
    var reference = "0"
    @Option(help: "Target validation RMSE (default: the reference runs' mean final one).") var target: Double?

    /// The reference runs' indices.
    var references: [Int] { reference.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
    @Option(help: "SVG to write.") var out: String
    @Option(help: "Markdown table to write as well (it is printed either way).") var table: String?

    func validate() throws {
        guard !runs.isEmpty, !references.isEmpty, references.count == reference.split(separator: ",").count, references.allSatisfy(runs.indices.contains) else {
            throw ValidationError("give run folders, and --reference as indices between 0 and \(runs.count - 1), comma-separated")
        }
        if let labels, labels.split(separator: ",").count != runs.count { throw ValidationError("--labels needs one label per run (\(runs.count))") }
        try OutputPath.check(out, extensions: ["svg"])
        if let table { try OutputPath.check(table, extensions: ["md"]) }
    }

    func run() throws {
        let folders = runs.map(RunFolder.init)
        let datasets = Set(try folders.map { try $0.datasetPath() })
        guard datasets.count == 1, let root = datasets.first else {
            throw ValidationError("the runs trained on different datasets (\(datasets.sorted().joined(separator: ", "))): compare runs of one dataset")
        }
        let trees = Set(try folders.map { try $0.loadConfiguration().0.tree.name })
        guard trees.count == 1 else { throw ValidationError("the runs answer different decision trees (\(trees.sorted().joined(separator: ", "))): compare runs of one tree") }
        let dataset = try KaggleDataset(root: root, tree: try folders[0].loadConfiguration().0.tree)
        for folder in folders {
            if let change = try folder.datasetChange(dataset) { print("warning: \(folder.path): \(change); validation figures use the labels as they are now") }
        }
        let truth = try? MockUniverse.readTruth(root + "/" + MockUniverse.truthFile, tree: dataset.tree)
        let (baseline, floor) = RunComparison.validationReferences(dataset: dataset, truth: truth)
        let comparison = try RunComparison(runs: folders, labels: labels.map { $0.split(separator: ",").map(String.init) }, baseline: baseline, floor: floor)
        let goal = target ?? comparison.meanFinalRMSE(of: references)
        let text = comparison.table(target: target, references: references)
            + String(format: "\nTraining-mean baseline %.4f%@ on the %d validation images of %@.\n", baseline,
                     floor.map { String(format: ", oracle floor %.4f", $0) } ?? "", dataset.split.validation.count, root)
        print(text, terminator: "")
        try FileOutput.write(comparison.svg(title: "Validation RMSE against images seen — \(URL(fileURLWithPath: root).lastPathComponent)", target: goal), to: out)
        if let table { try FileOutput.write(text, to: table) }
        print("wrote \(out)" + (table.map { " and \($0)" } ?? ""))
    }
}
