import Foundation
import GalaxyZoo
import GalaxyPrediction

/// The demo's report.md: validation RMSE per model and test-time set, the blends, the
/// baselines, and the submission scored against the held-back crowd votes.
struct DemoReport {
    struct Row { var model: String; var transforms: Int; var rmse: Double }

    var settings: Demo.Settings
    var validationCount: Int
    var rows: [Row]
    var blends: BlendReport
    var validation: (zeros: Evaluation, trainingMean: Evaluation)
    var test: (zeros: Evaluation, trainingMean: Evaluation)
    var submission: Evaluation
    var oracle: Double?
    var seconds: Double

    var markdown: String {
        let table = rows.map { String(format: "| %@ | %d | %.5f |", $0.model, $0.transforms, $0.rmse) }.joined(separator: "\n")
        let report = """
        # GalaxyNet demo report

        Mock universe: \(settings.count) training galaxies (\(validationCount) held out for validation), \(settings.testCount) test galaxies, seed \(settings.seed).
        Two models trained for \(settings.steps) updates of 16 images each; predictions averaged over \(settings.tta.rawValue) test-time transforms.

        ## Validation RMSE

        | model | transforms | RMSE |
        |---|---|---|
        \(table)

        \(blends.markdown)

        Baselines on validation: training mean \(String(format: "%.5f", validation.trainingMean.rmse)), all zeros \(String(format: "%.5f", validation.zeros.rmse)).

        ## Test set (scored against the held-back crowd votes)

        \(String(format: "Submission RMSE %.5f; training-mean baseline %.5f; all zeros %.5f; oracle floor %.5f (true probabilities vs. crowd votes, the best any model can do).", submission.rmse, test.trainingMean.rmse, test.zeros.rmse, oracle ?? .nan))

        Per question: \(submission.perQuestion.enumerated().map { String(format: "Q%d %.4f", $0.offset + 1, $0.element) }.joined(separator: ", ")).

        Files: `submission.csv` and `submission.npy` (Kaggle format), per-model predictions, `run-*/learning-curve.svg`, `test-scatter.svg`.
        Wall time: \(String(format: "%.0f", seconds)) s.

        """
        return report.replacingOccurrences(of: "\n\n\n", with: "\n\n")
    }
}
