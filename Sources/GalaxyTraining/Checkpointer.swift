import Foundation
import GalaxyNetwork

/// Writes a run's checkpoints: every `minutes` of training and when asked, never with a
/// non-finite parameter (the previous checkpoint is then kept).
public struct Checkpointer {
    public let run: RunFolder
    public let minutes: Double
    /// The update count of the newest checkpoint on disk, if any.
    public private(set) var lastStep: Int?
    private var lastWrite = Date()

    public init(run: RunFolder, minutes: Double, lastStep: Int? = nil) {
        self.run = run
        self.minutes = minutes
        self.lastStep = lastStep
    }

    /// Writes the step's weights, optimiser state, average and state; returns false (writing nothing) when a
    /// parameter is NaN or infinite.
    @discardableResult
    public mutating func write(_ step: TrainingStep, bestValidationRMSE: Double?, lossWindow: RunFolder.LossWindow? = nil) throws -> Bool {
        lastWrite = Date()
        let finite = step.model.parameters.allSatisfy { p in p.value.backend.withHostScalars(p.value) { $0.allSatisfy(\.isFinite) } }
        guard finite else { return false }
        let state = RunFolder.State(step: step.step, seed: step.options.seed, model: step.model.configuration.name,
                                    bestValidationRMSE: bestValidationRMSE, writtenAt: ISO8601DateFormatter().string(from: Date()),
                                    optimizerUpdates: step.optimizer.updates, lossWindow: lossWindow)
        try run.writeCheckpoint(model: step.model, optimizerState: step.namedOptimizerState, optimizer: (step.options.optimizer ?? .nesterov).rawValue,
                                average: step.average.map { $0.applied(to: step.model) }, state: state)
        lastStep = step.step
        return true
    }

    /// Writes when `minutes` have passed since the last write.
    public mutating func writeIfDue(_ step: TrainingStep, bestValidationRMSE: Double?, lossWindow: RunFolder.LossWindow? = nil) throws -> Bool? {
        guard Date().timeIntervalSince(lastWrite) > minutes * 60 else { return nil }
        return try write(step, bestValidationRMSE: bestValidationRMSE, lossWindow: lossWindow)
    }
}
