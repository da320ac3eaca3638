import Foundation
import Synchronization
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
    public mutating func write(_ step: TrainingStep, bestValidationRMSE: Double?) throws -> Bool {
        lastWrite = Date()
        let finite = step.model.parameters.allSatisfy { p in p.value.backend.withHostScalars(p.value) { $0.allSatisfy(\.isFinite) } }
        guard finite else { return false }
        let state = RunFolder.State(step: step.step, seed: step.options.seed, model: step.model.configuration.name,
                                    bestValidationRMSE: bestValidationRMSE, writtenAt: ISO8601DateFormatter().string(from: Date()),
                                    optimizerUpdates: step.optimizer.updates)
        try run.writeCheckpoint(model: step.model, optimizerState: step.namedOptimizerState, optimizer: (step.options.optimizer ?? .nesterov).rawValue,
                                average: step.average.map { $0.applied(to: step.model) }, state: state)
        lastStep = step.step
        return true
    }

    /// Writes when `minutes` have passed since the last write.
    public mutating func writeIfDue(_ step: TrainingStep, bestValidationRMSE: Double?) throws -> Bool? {
        guard Date().timeIntervalSince(lastWrite) > minutes * 60 else { return nil }
        return try write(step, bestValidationRMSE: bestValidationRMSE)
    }
}

/// A request to end a run cleanly: the trainer writes a checkpoint and returns at the next step.
/// `StopSignal.process` is set by SIGINT and SIGTERM once `installHandlers()` has run (the
/// command line does that); a test or an embedding program makes its own and calls `request()`.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}

    public func request() { flag.store(true, ordering: .relaxed) }
    public var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// The process's signal.
    public static let process = StopSignal()

    /// Makes Ctrl-C and termination requests set `process`.
    public static func installHandlers() {
        _ = process
        // A parent may have left these signals blocked (some test runners and launchers do);
        // a blocked SIGTERM would never reach the handler.
        var set = sigset_t()
        sigemptyset(&set)
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in StopSignal.process.request() }
            sigaddset(&set, sig)
        }
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }
}
