import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyZoo
import GalaxyModels
import GalaxyMock
import GalaxyPrediction
import GalaxyTraining

/// `galaxynet calibrate`.
struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "calibrate",
        abstract: "How honest models' uncertainty is about held-out vote counts: 90 % interval coverage and width per question, a reliability diagram, volunteer-weighted RMSE.")

    @Option(name: [.customLong("run"), .customLong("model")], help: "A trained run or model file (repeat to compare models of one tree).") var runs: [String]
    @Option(help: "A dataset folder holding held-out images (images_test_rev1/) and their counts (test_votes.csv), as a mock universe writes them.") var data: String?
    @Option(help: "Held-out images, <GalaxyID>.jpg (instead of --data).") var images: String?
    @Option(help: "Their vote counts, the published columns (instead of --data).") var votes: String?
    @Option(help: "SVG reliability diagram of every run.") var plot: String?
    @Flag(help: "First fit each question's concentration scale to the run's own validation images (the held-out tenth of its training data) and record them in its model.json; prediction then uses them. Fit with the --tta you predict with.")
    var fitScales = false
    @OptionGroup var augmentation: TTAOptions
    @OptionGroup var compute: BackendOptions
    @OptionGroup var output: JSONOptions

    func validate() throws {
        guard !runs.isEmpty else { throw ValidationError("give at least one --run") }
        guard (data != nil) != (images != nil && votes != nil) else { throw ValidationError("give --data, or --images and --votes") }
        if fitScales && runs.count != 1 { throw ValidationError("--fit-scales fits one run at a time") }
        if fitScales && ModelFile.isModelFile(runs[0]) {
            throw ValidationError("--fit-scales writes into a run's model.json: fit the run, then export it again")
        }
        if let plot { try OutputPath.check(plot, extensions: ["svg"]) }
    }

    func run() throws {
        let folder = images ?? (data! as NSString).appendingPathComponent(KaggleDataset.testFolder)
        let votesFile = votes ?? (data! as NSString).appendingPathComponent(MockUniverse.testVotesFile)
        if fitScales { try fit(RunFolder(runs[0])) }
        var reports: [Calibration] = []
        for path in runs {
            let predictor = try Predictor(folder: ModelFolder(path), backend: compute.backend.backend, tta: augmentation.tta)
            let counts = try VoteCounts.read(votesFile, tree: predictor.model.configuration.tree)
            let progress = Progress("predicting \(path)")
            let predictions = try predictor.predictions(paths: counts.ids.map { "\(folder)/\($0).jpg" }, progress: { progress($0, $1) }).map { try $0.get() }
            reports.append(Calibration(model: path, predictions: predictions, votes: counts))
        }
        if let plot { try FileOutput.write(Calibration.reliabilitySVG(reports, title: "reliability on \(votesFile)"), to: plot) }
        if output.json { return try output.print(reports) }
        for report in reports {
            print("\(report.model): volunteer-weighted RMSE of the expected fractions " + String(format: "%.4f", report.volunteerWeightedRMSE))
            print("reliability (nominal → observed): " + zip(Calibration.levels, report.reliability).map { String(format: "%.2f→%.3f", $0, $1) }.joined(separator: " "))
            print(report.markdown + "\n")
        }
        if let plot { print("wrote \(plot)") }
    }

    /// Fits the run's concentration scales on its validation split and writes them into model.json.
    func fit(_ run: RunFolder) throws {
        let lock = try run.lock()  // a run still training holds it: its model.json is not changed under it
        defer { withExtendedLifetime(lock) {} }
        var configuration = try run.model.loadConfiguration()
        guard configuration.objective == .dirichletMultinomial else { throw ValidationError("--fit-scales: \(run.path) is not a vote-count (dirichlet-multinomial) model") }
        let dataset = try KaggleDataset(root: try run.datasetPath(), tree: configuration.tree)
        guard let counts = dataset.votes else { throw ValidationError("--fit-scales: \(dataset.root) has no \(VoteCounts.file)") }
        let rows = dataset.split.validation
        let predictor = try Predictor(folder: run.model, backend: compute.backend.backend, tta: augmentation.tta)
        let progress = Progress("predicting the validation images")
        let predictions = try predictor.predictions(paths: rows.map { dataset.trainingImagePath(dataset.labels.ids[$0]) }, progress: { progress($0, $1) })
            .map { try $0.get() }
        let fitted = VotePredictive.fittedScales(predictions.map { $0.predictive(tree: configuration.tree)! }, votes: counts.subset(rows))
        let previous = configuration.concentrationScales ?? [Float](repeating: 1, count: fitted.count)
        configuration.concentrationScales = zip(previous, fitted).map { $0 * $1 }
        try FileOutput.write(configuration.json, to: run.model.modelFile)
        print("fitted concentration scales on \(rows.count) validation images, written to \(run.model.modelFile):")
        print(zip(configuration.tree.questions, configuration.concentrationScales!).map { String(format: "  %@ %.3f", $0.key, $1) }.joined(separator: "\n"))
    }
}
