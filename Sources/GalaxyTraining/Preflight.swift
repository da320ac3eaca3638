import Foundation
import GalaxyImaging
import GalaxyZoo
import GalaxyNetwork

/// Everything that would stop a run later, checked before anything is made: enough labelled
/// images, labels the decision tree allows, and every training and validation image readable.
public enum Preflight {
    /// The rows a run trains and validates on, and the images left out.
    public struct Rows: Sendable {
        public var training: [Int], validation: [Int]
        /// Images left out by `--on-bad-image skip`.
        public var bad: [ImageError]
    }

    /// Refuses a label table too small to split or that breaks the decision tree, and vote
    /// fractions where the loss needs vote counts.
    public static func checkLabels(_ dataset: KaggleDataset, loss: ModelConfiguration.Loss = .mse) throws {
        let solutions = dataset.labelsFile
        if loss == .dirichletMultinomial && dataset.votes == nil { throw TrainingError.needsVoteCounts(folder: dataset.root) }
        guard dataset.labels.count >= 10 else { throw TrainingError.tooFewImages(labelled: dataset.labels.count, file: solutions) }
        let violations = LabelCheck.violations(in: dataset.labels, tree: dataset.tree, votes: dataset.votes)
        if let first = violations.first {
            throw TrainingError.labelsBreakTheTree(first: first, rows: Set(violations.map(\.galaxyID)).count, file: solutions)
        }
    }

    /// The dataset's split with every image read once first: rows whose image fails are an error
    /// (`fail`) or left out (`skip`). Each must be a cutout of the run's format.
    public static func usableRows(_ dataset: KaggleDataset, policy: ImageCheck.Policy, cutout: CutoutFormat = .sdss, progress: (String) -> Void) throws -> Rows {
        let (training, validation) = dataset.split
        let rows = training + validation
        let start = Date()
        let failures = ImageCheck.failures(paths: rows.map { dataset.trainingImagePath(dataset.labels.ids[$0]) }, cutout: cutout)
        progress(String(format: "checked %d images in %.1f s: %d unreadable", rows.count, Date().timeIntervalSince(start), failures.count))
        if failures.isEmpty { return Rows(training: training, validation: validation, bad: []) }
        guard policy == .skip else { throw TrainingError.badImages(failures.map(\.error)) }
        let bad = Set(failures.map { rows[$0.index] })
        let kept = Rows(training: training.filter { !bad.contains($0) }, validation: validation.filter { !bad.contains($0) }, bad: failures.map(\.error))
        guard !kept.training.isEmpty, !kept.validation.isEmpty else { throw TrainingError.badImages(kept.bad) }
        return kept
    }
}
