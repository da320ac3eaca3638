import Foundation
import Testing

@Suite("Failures are early, clear and not mistaken for success", .serialized)
struct RobustnessCLITests {
    static let mock = Result { try mockUniverse(count: 40, testCount: 8, seed: 6) }

    /// A private copy of the small mock universe, for tests that damage or change it.
    static func mockCopy(_ name: String) throws -> String {
        let copy = scratch(name)
        try FileManager.default.copyItem(atPath: try mock.get(), toPath: copy)
        return copy
    }


    @Test func anUnwritableOutputIsRefusedBeforeAnyWork() throws {
        let run = scratch("robust-run")
        #expect(try CLI.run(["train", "--data", try Self.mock.get(), "--steps", "2", "--out", run, "--workers", "1"]).status == 0)
        let started = Date()
        let result = try CLI.run(["predict", "--run", run, "--out", "/nonexistent-folder/predictions.csv"])
        #expect(result.status != 0 && result.error.contains("/nonexistent-folder does not exist"), "\(result.error)")
        #expect(Date().timeIntervalSince(started) < 5)
        let zero = try CLI.run(["train", "--data", try Self.mock.get(), "--steps", "10", "--validate-every", "0", "--out", scratch("zero")])
        #expect(zero.status != 0 && zero.error.contains("must be positive"), "\(zero.error)")
    }

    /// Into a pipe (a log file, CI) progress is whole lines, not carriage returns.
    @Test func progressIntoALogIsLines() throws {
        let out = scratch("lines") + ".csv"
        let run = scratch("lines-run")
        #expect(try CLI.run(["train", "--data", try Self.mock.get(), "--steps", "2", "--out", run, "--workers", "1"]).status == 0)
        let result = try CLI.run(["predict", "--run", run, "--tta", "1", "--out", out])
        #expect(result.status == 0 && !result.error.contains("\r") && result.error.contains("predicting 8/8"), "\(result.error.debugDescription)")
    }

    /// A run stopped by a signal checkpoints, says how to resume, and does not exit 0.
    @Test func anInterruptedRunExitsNonZeroAfterItsCheckpoint() throws {
        let run = scratch("interrupted")
        let (status, text) = try CLI.interrupted(["train", "--data", try Self.mock.get(), "--steps", "100000", "--out", run, "--workers", "1"],
                                                 once: run + "/log.jsonl")
        #expect(status == 130, "\(text)")
        #expect(text.contains("continue with: galaxynet train --resume"), "\(text)")
        #expect(FileManager.default.fileExists(atPath: run + "/checkpoint/state.json"))
    }
}
