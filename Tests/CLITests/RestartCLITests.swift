import Foundation
import Testing

/// Runs are restartable and know their data (hardening 2, class 5).
@Suite("Runs restart, resume to no effect when finished, and know their data", .serialized)
struct RestartCLITests {
    func dataset() throws -> String { try RobustnessCLITests.mockCopy("restart-data") }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// A run killed before its first checkpoint (simulated by removing it) is not a dead end:
    /// --resume starts it again from step 0 with its recorded options and reaches the same weights.
    @Test func aRunWithoutACheckpointStartsAgain() throws {
        let data = try dataset(), run = scratch("restart-run")
        try CLI.setUp(["train", "--data", data, "--steps", "3", "--out", run, "--workers", "1", "--seed", "5"])
        let finished = try bytes(run + "/checkpoint/weights.safetensors")
        func logSteps() throws -> [String] {
            try String(contentsOfFile: run + "/log.jsonl", encoding: .utf8).split(separator: "\n").map { line in
                line.components(separatedBy: "\"step\":").last!.prefix { $0.isNumber }.description
            }
        }
        let logged = try logSteps()
        try FileManager.default.removeItem(atPath: run + "/checkpoint")
        let again = try CLI.run(["train", "--data", data, "--steps", "3", "--out", run, "--workers", "1", "--seed", "5"])
        #expect(again.status != 0 && again.error.contains("--resume"), "\(again.error)")
        let resumed = try CLI.run(["train", "--resume", run, "--workers", "1"])
        #expect(resumed.status == 0 && resumed.output.contains("no checkpoint yet: the run starts again from step 0"), "\(resumed.output) \(resumed.error)")
        #expect(try bytes(run + "/checkpoint/weights.safetensors") == finished, "the restarted run is the same run")
        #expect(try logSteps() == logged, "the log holds each logged step once, not the first session's lines too")
    }

    /// Resuming a finished run writes nothing: the checkpoint and log keep their bytes.
    @Test func resumingAFinishedRunChangesNothing() throws {
        let data = try dataset(), run = scratch("finished-run")
        try CLI.setUp(["train", "--data", data, "--steps", "2", "--out", run, "--workers", "1", "--validate-every", "1"])
        let files = ["checkpoint/weights.safetensors", "checkpoint/state.json", "checkpoint/optimizer.safetensors", "log.jsonl", "learning-curve.svg"]
        let before = try files.map { try bytes(run + "/" + $0) }
        let resumed = try CLI.run(["train", "--resume", run])
        #expect(resumed.status == 0 && resumed.output.contains("is at step 2 of 2: nothing to train"), "\(resumed.output) \(resumed.error)")
        for (file, old) in zip(files, before) { #expect(try bytes(run + "/" + file) == old, "\(file) changed") }
    }

    /// data.txt names the dataset by absolute path with its labels' checksum; changed labels are
    /// refused on resume and flagged by predict --split.
    @Test func aRunKnowsItsDataAndNoticesChangedLabels() throws {
        let data = try dataset(), run = scratch("data-run")
        try CLI.setUp(["train", "--data", data, "--steps", "4", "--until", "2", "--out", run, "--workers", "1"])
        let recorded = try String(contentsOfFile: run + "/data.txt", encoding: .utf8).split(separator: "\n")
        #expect(recorded.count == 2 && recorded[0].hasPrefix("/") && recorded[1].hasPrefix("labels-crc32 "), "\(recorded)")
        let labels = data + "/training_solutions_rev1.csv"
        var text = try String(contentsOfFile: labels, encoding: .utf8)
        text = text.replacingOccurrences(of: "\n", with: "\r\n")   // same values, other bytes: still a change of the file
        try text.write(toFile: labels, atomically: true, encoding: .utf8)
        let resumed = try CLI.run(["train", "--resume", run])
        #expect(resumed.status != 0 && resumed.error.contains("data.txt") && resumed.error.contains("not the ones the run began with"),
                "\(resumed.error)")
        let predicted = try CLI.run(["predict", "--run", run, "--split", "validation", "--tta", "1", "--out", scratch("split") + ".csv"])
        #expect(predicted.status == 0 && predicted.error.contains("warning:") && predicted.error.contains("not the ones the run began with"),
                "\(predicted.error)")
    }

    /// state.json is not covered by a checksum (it holds them): its step is checked against the
    /// run's length and against the step written into the CRC-checked weights.
    @Test func aCheckpointStepOutOfRangeOrInconsistentIsRefused() throws {
        let data = try dataset(), run = scratch("step-run")
        try CLI.setUp(["train", "--data", data, "--steps", "4", "--until", "2", "--out", run, "--workers", "1"])
        let state = run + "/checkpoint/state.json"
        let original = try String(contentsOfFile: state, encoding: .utf8)
        #expect(original.contains("\"step\":2") || original.contains("\"step\" : 2"), "\(original)")
        for (step, expected) in [("99", "says step 99"), ("1", "weights were written at step 2"), ("-3", "says step -3")] {
            let edited = original.replacingOccurrences(of: "\"step\":2", with: "\"step\":\(step)").replacingOccurrences(of: "\"step\" : 2", with: "\"step\" : \(step)")
            try edited.write(toFile: state, atomically: true, encoding: .utf8)
            let resumed = try CLI.run(["train", "--resume", run])
            #expect(resumed.status != 0 && resumed.error.contains("state.json") && resumed.error.contains(expected), "step \(step): \(resumed.error)")
        }
    }

    /// A run that keeps a weight average publishes the average; without its file it refuses to
    /// predict rather than fall back to the raw weights.
    @Test func aRunKeepingAnAverageRefusesToPredictWithoutIt() throws {
        let data = try dataset(), run = scratch("average-run")
        try CLI.setUp(["train", "--data", data, "--recipe", "fast", "--steps", "2", "--out", run, "--workers", "1"])
        try FileManager.default.removeItem(atPath: run + "/checkpoint/average.safetensors")
        let predicted = try CLI.run(["predict", "--run", run, "--split", "validation", "--tta", "1", "--out", scratch("avg") + ".csv"])
        #expect(predicted.status != 0 && predicted.error.contains("average.safetensors") && predicted.error.contains("weight average"), "\(predicted.error)")
    }
}
