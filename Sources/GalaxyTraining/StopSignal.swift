import Foundation
import Synchronization

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
