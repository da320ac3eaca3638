import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyZoo
import GalaxyPrediction
import GalaxyMock

/// `galaxynet evaluate`.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate",
        abstract: "RMSE of predictions against vote fractions: total, per question and per answer, baselines, oracle floor, a plot.")

    @Option(help: "Predictions CSV (Kaggle format).") var pred: String
    @Option(help: "True vote fractions CSV (rows are matched by GalaxyID).") var truth: String
    @Option(help: "Training labels for the baselines (default: training_solutions_rev1.csv beside --truth, if present).") var trainingLabels: String?
    @Option(help: "Mock universe truth.csv for the oracle floor (default: beside --truth, if present).") var oracle: String?
    @Option(help: "SVG of predicted against true for the main answers.") var plot: String?
    @Flag(help: "Score the galaxies the two files share even when some predictions have no truth row.") var partial = false
    @OptionGroup var decisionTree: TreeOptions

    func validate() throws { if let plot { try OutputPath.check(plot, extensions: ["svg"], inputs: [pred, truth]) } }

    func run() throws {
        let tree = try decisionTree.tree
        var report = try EvaluationReport(predictions: pred, truth: truth, tree: tree, partial: partial)
        if let note = report.note { print("note: " + note) }
        // Files named on the command line must read; the defaults beside --truth are used when present.
        let folder = (truth as NSString).deletingLastPathComponent
        if let path = trainingLabels ?? existing(folder + "/" + KaggleDataset.solutionsFile) {
            report.addBaselines(training: try KaggleCSV.read(path, tree: tree))
        }
        if let path = oracle {
            try report.addOracle(probabilities: try MockUniverse.readTruth(path, tree: tree), file: path)
        } else if let path = existing(folder + "/" + MockUniverse.truthFile) {
            do { try report.addOracle(probabilities: try MockUniverse.readTruth(path, tree: tree), file: path) } catch { print("note: no oracle floor: \(error)") }
        }
        print(report.text)
        if let plot {
            try FileOutput.write(Report.scatterSVG(predictions: report.predictions.values, truth: report.truth.values, tree: tree, title: "\(pred) against \(truth)"), to: plot)
            print("wrote \(plot)")
        }
    }

    private func existing(_ path: String) -> String? { FileManager.default.fileExists(atPath: path) ? path : nil }
}
