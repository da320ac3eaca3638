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

/// `galaxynet evaluate`.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "evaluate",
        abstract: "RMSE of predictions against vote fractions: total, per question and per answer, baselines, oracle floor, a plot.")

    @Option(help: "Predictions CSV (Kaggle format).") var pred: String
    @Option(help: "True vote fractions CSV (rows are matched by GalaxyID).") var truth: String
    @Option(help: "Training labels for the baselines (default: training_solutions_rev1.csv beside --truth).") var trainingLabels: String?
    @Option(help: "Mock universe truth.csv for the oracle floor (default: beside --truth, if present).") var oracle: String?
    @Option(help: "SVG of predicted against true for the main answers.") var plot: String?
    @Flag(help: "Score the galaxies the two files share even when some predictions have no truth row.") var partial = false

    func validate() throws { if let plot { try OutputPath.check(plot, extensions: ["svg"], inputs: [pred, truth]) } }

    func run() throws {
        let (p, t, note) = try Report.matched(try KaggleCSV.read(pred), try KaggleCSV.read(truth), predictionsFile: pred, truthFile: truth, partial: partial)
        if let note { print("note: " + note) }
        let evaluation = Evaluation(predictions: p.values, truth: t.values)
        let folder = (truth as NSString).deletingLastPathComponent
        let trainingPath = trainingLabels ?? folder + "/" + KaggleDataset.solutionsFile
        var zeros: Double? = nil, mean: Double? = nil
        if let training = try? KaggleCSV.read(trainingPath) {
            let own = Set(t.ids)
            let baselines = Baselines(training: training.subset(training.ids.indices.filter { !own.contains(training.ids[$0]) }))
            let (z, m) = baselines.evaluate(on: t)
            zeros = z.rmse; mean = m.rmse
        }
        var floor: Double? = nil
        let oraclePath = oracle ?? folder + "/" + MockUniverse.truthFile
        if let probabilities = try? MockUniverse.readTruth(oraclePath), t.ids.allSatisfy({ probabilities[$0] != nil }) {
            floor = Evaluation(predictions: t.ids.flatMap { probabilities[$0]! }, truth: t.values).rmse
        }
        print("\(p.count) galaxies")
        print(Report.text(evaluation, zeros: zeros, mean: mean, oracle: floor))
        if let plot {
            try FileOutput.write(Report.scatterSVG(predictions: p.values, truth: t.values, title: "\(pred) against \(truth)"), to: plot)
            print("wrote \(plot)")
        }
    }
}
