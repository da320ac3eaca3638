import GalaxyImaging
import GalaxyZoo

/// Why a run stopped early.
public enum TrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(step: Int, checkpointStep: Int?, directory: String)
    case replicasDiverged(step: Int, checksums: [UInt64])
    case tooFewImages(labelled: Int, file: String)
    case labelsBreakTheTree(first: LabelCheck.Violation, rows: Int, file: String)
    case badImages([ImageError])
    case needsVoteCounts(folder: String)
    case unreadableImage(step: Int, error: Error, checkpointStep: Int?, directory: String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let step, let kept, let directory):
            "the loss became NaN or infinite at step \(step); the run stopped"
                + (kept.map { " and kept the last good checkpoint (step \($0)) in \(directory)/checkpoint" } ?? " before its first checkpoint")
                + ". Lower the learning rate or check the inputs, then --resume."
        case .replicasDiverged(let step, let checksums):
            "the processes' weights differ at step \(step) (checksums by rank: \(checksums.map { String($0, radix: 16) }.joined(separator: ", "))); "
                + "the run stopped. Every process must run the same binary on the same data; resume from the last checkpoint."
        case .tooFewImages(let labelled, let file):
            "\(file): \(labelled) labelled images; training needs at least 10, as the highest tenth of the IDs is held out for validation"
        case .labelsBreakTheTree(let v, let rows, let file):
            "\(file)\(v.line.map { ":\($0)" } ?? ""): GalaxyID \(v.galaxyID) question \(v.question) sums to \(v.sum), the decision tree requires \(v.required) "
                + "(\(rows) rows break the tree); the model's outputs obey it, so it cannot learn these labels. `galaxynet check-labels \(file)` lists them all."
        case .needsVoteCounts(let folder):
            "\(folder): the dirichlet-multinomial loss learns from vote counts, and the dataset has no \(VoteCounts.file) "
                + "(GalaxyID, then {question}_total-votes and {question}_{answer} counts); train with --loss mse on its fractions instead"
        case .badImages(let errors):
            "\(errors.count) image\(errors.count == 1 ? "" : "s") cannot be used:\n" + errors.prefix(20).map { "  \($0)" }.joined(separator: "\n")
                + (errors.count > 20 ? "\n  …" : "") + "\nReplace them, or train with --on-bad-image skip to leave them out (they are then listed in the run folder)."
        case .unreadableImage(let step, let error, let kept, let directory):
            "an image became unreadable at step \(step): \(error)\n"
                + (kept.map { "The updates so far are kept in the checkpoint (step \($0)) in \(directory)/checkpoint; replace the image and --resume." }
                   ?? "No checkpoint could be written.")
        }
    }
}
