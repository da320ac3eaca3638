import Foundation
import Testing
import GalaxyZoo
import GalaxyPrediction
import TestSupport

@Suite("Evaluation report")
struct EvaluationReportTests {
    static let n = DecisionTree.gz2.outputCount

    func table(_ rows: [Int: Float]) -> GalaxyTable {
        let ids = rows.keys.sorted()
        return GalaxyTable(ids: ids, values: ids.flatMap { [Float](repeating: rows[$0]!, count: Self.n) })
    }

    /// Every answer off by 0.1 gives RMSE 0.1; the baselines use training rows not scored; the
    /// oracle needs every scored galaxy.
    @Test func rmseBaselinesAndOracleInClosedForm() throws {
        let folder = TestSupport.temporaryFolder("evaluation")
        try PredictionFiles.write(table([1: 0.5, 2: 0.3]), to: folder + "/pred.csv")
        try PredictionFiles.write(table([1: 0.4, 2: 0.2, 3: 0.9]), to: folder + "/truth.csv")
        var report = try EvaluationReport(predictions: folder + "/pred.csv", truth: folder + "/truth.csv", tree: .gz2)
        #expect(abs(report.evaluation.rmse - 0.1) < 1e-6)
        #expect(report.note?.contains("2 of the 3 rows") == true, "\(report.note ?? "no note")")
        // Training labels 1 (scored, left out) and 9 (0.3 everywhere): the mean baseline predicts 0.3.
        report.addBaselines(training: table([1: 0.0, 9: 0.3]))
        let mean = try #require(report.baselines?.mean), zeros = try #require(report.baselines?.zeros)
        #expect(abs(mean - (0.01 * 0.5 + 0.01 * 0.5).squareRoot()) < 1e-6)
        #expect(abs(zeros - ((0.16 + 0.04) / 2).squareRoot()) < 1e-6)
        #expect(throws: KaggleDataError.self) { try report.addOracle(probabilities: [1: [Float](repeating: 0.4, count: Self.n)], file: "truth.csv") }
        try report.addOracle(probabilities: [1: [Float](repeating: 0.4, count: Self.n), 2: [Float](repeating: 0.25, count: Self.n)], file: "truth.csv")
        #expect(abs(report.oracle! - (0.0025 / 2).squareRoot()) < 1e-6)
        #expect(report.text.hasPrefix("2 galaxies\nRMSE over all 37 answers: 0.10000"), "\(report.text)")
    }

    @Test func predictionsWithoutTruthNeedPartial() throws {
        let folder = TestSupport.temporaryFolder("evaluation")
        try PredictionFiles.write(table([1: 0.5, 5: 0.3]), to: folder + "/pred.csv")
        try PredictionFiles.write(table([1: 0.4]), to: folder + "/truth.csv")
        #expect(throws: KaggleDataError.self) { try EvaluationReport(predictions: folder + "/pred.csv", truth: folder + "/truth.csv", tree: .gz2) }
        let partial = try EvaluationReport(predictions: folder + "/pred.csv", truth: folder + "/truth.csv", tree: .gz2, partial: true)
        #expect(partial.predictions.ids == [1])
    }
}
