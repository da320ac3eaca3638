import Foundation
import Testing

/// A training run checks what would stop it later before its first update, and loses nothing
/// when an image breaks while it runs.
@Suite("Training inputs are checked before the first update", .serialized)
struct TrainingInputCLITests {
    /// A private copy of a small mock universe (these tests damage it).
    func dataset() throws -> String { try RobustnessCLITests.mockCopy("inputs") }

    func images(_ data: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: data + "/images_training_rev1").sorted().map { data + "/images_training_rev1/" + $0 }
    }

    func truncate(_ path: String) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
    }

    @Test func aBadImageStopsTheRunBeforeItStartsOrIsLeftOutOnRequest() throws {
        let data = try dataset()
        let bad = try images(data)[3]
        try truncate(bad)
        let run = scratch("bad-image-run")
        let failed = try CLI.run(["train", "--data", data, "--steps", "4", "--out", run, "--workers", "1"])
        #expect(failed.status != 0 && failed.error.contains("1 image cannot be used") && failed.error.contains(bad)
                && failed.error.contains("truncated") && failed.error.contains("--on-bad-image skip"), "\(failed.error)")
        #expect(!FileManager.default.fileExists(atPath: run + "/run.json"), "nothing is made for a run that cannot start")
        let skipped = try CLI.run(["train", "--data", data, "--steps", "4", "--out", run, "--workers", "1", "--on-bad-image", "skip"])
        #expect(skipped.status == 0 && skipped.output.contains("left out 1 unreadable image"), "\(skipped.output) \(skipped.error)")
        let listed = try String(contentsOfFile: run + "/bad-images.txt", encoding: .utf8)
        #expect(listed.hasPrefix(bad + ": corrupt or truncated JPEG data"), "\(listed)")
    }

    @Test func anImageThatBreaksDuringTheRunKeepsTheUpdatesSoFar() throws {
        let data = try dataset()
        let run = scratch("breaks-run")
        #expect(try CLI.run(["train", "--data", data, "--steps", "400", "--until", "3", "--out", run, "--workers", "1"]).status == 0)
        // Every image but the check's view of them breaks after the check: all of them, so the next batch fails.
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["train", "--resume", run, "--workers", "1"]
        let err = Pipe(), out = Pipe()
        process.standardError = err
        process.standardOutput = out
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !(((try? String(contentsOfFile: run + "/log.jsonl", encoding: .utf8)) ?? "").contains("\"step\":10")) {
            Thread.sleep(forTimeInterval: 0.02)
        }
        for image in try images(data) { try truncate(image) }
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        _ = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus != 0 && text.contains("an image became unreadable") && text.contains("replace the image and --resume"), "\(text)")
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/checkpoint/state.json"))) as! [String: Any]
        #expect((state["step"] as? Int ?? 0) > 3, "the checkpoint keeps the updates after the resume: \(state)")
    }

    @Test func labelsThatBreakTheTreeAndTooFewImagesAreRefused() throws {
        let data = try dataset()
        let csv = data + "/training_solutions_rev1.csv"
        var lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").map(String.init)
        var fields = lines[2].split(separator: ",").map(String.init)
        fields[1] = "0.9"; fields[2] = "0.9"  // Q1 sums to more than 1
        lines[2] = fields.joined(separator: ",")
        try (lines.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let broken = try CLI.run(["train", "--data", data, "--steps", "2", "--out", scratch("tree-run")])
        #expect(broken.status != 0 && broken.error.contains("training_solutions_rev1.csv:3") && broken.error.contains("question 1")
                && broken.error.contains("check-labels"), "\(broken.error)")
        let kept = Set(lines[3..<8].map { $0.split(separator: ",")[0] + ".jpg" })
        try ((lines.prefix(1) + lines[3..<8]).joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        for image in try images(data) where !kept.contains(Substring((image as NSString).lastPathComponent)) {
            try FileManager.default.removeItem(atPath: image)
        }
        let tiny = try CLI.run(["train", "--data", data, "--steps", "2", "--out", scratch("tiny-run")])
        #expect(tiny.status != 0 && tiny.error.contains("5 labelled images; training needs at least 10"), "\(tiny.error)")
    }

    @Test func optionsThatAResumedRunWouldIgnoreAreRefused() throws {
        let run = scratch("resume-flags")
        #expect(try CLI.run(["train", "--data", (try RobustnessCLITests.mock.get()), "--steps", "2", "--out", run, "--workers", "1"]).status == 0)
        for (flag, recorded) in [(["--steps", "10"], "2"), (["--model", "best"], "small"), (["--seed", "3"], "1"), (["--batch", "8"], "16")] {
            let result = try CLI.run(["train", "--resume", run] + flag)
            #expect(result.status != 0 && result.error.contains("\(flag.joined(separator: " ")) (the run has \(recorded))")
                    && result.error.contains("cannot change a run being resumed"), "\(result.error)")
        }
        // The run's own values repeated (a resubmitted job script) change nothing and are accepted.
        let same = try CLI.run(["train", "--resume", run, "--steps", "2", "--model", "small", "--seed", "1", "--batch", "16"])
        #expect(same.status == 0 && same.output.contains("nothing to train"), "\(same.output) \(same.error)")
        // A hand-edited run.json that cannot be run is refused by name, not met by a precondition.
        let options = run + "/run.json"
        let edited = try String(contentsOfFile: options, encoding: .utf8).replacingOccurrences(of: "\"steps\" : 2", with: "\"steps\" : 0")
        try edited.write(toFile: options, atomically: true, encoding: .utf8)
        let zero = try CLI.run(["train", "--resume", run])
        #expect(zero.status != 0 && zero.error.contains("run.json: unusable run options"), "\(zero.error)")
        let ramp = try CLI.run(["train", "--data", (try RobustnessCLITests.mock.get()), "--out", scratch("ramp"), "--ramp-steps", "5"])
        #expect(ramp.status != 0 && ramp.error.contains("--ramp-steps belongs to --scale-learning-rate"), "\(ramp.error)")
    }
}

@Suite("Commands say what they did with partial or misplaced inputs", .serialized)
struct PartialInputCLITests {
    @Test func evaluateSaysWhatItScoredAndRefusesPredictionsWithoutTruth() throws {
        let base = scratch("evaluate")
        let truth = (try RobustnessCLITests.mock.get()) + "/training_solutions_rev1.csv"
        var lines = try String(contentsOfFile: truth, encoding: .utf8).split(separator: "\n").map(String.init)
        try (lines.prefix(6).joined(separator: "\n") + "\n").write(toFile: base + "-five.csv", atomically: true, encoding: .utf8)
        let five = try CLI.run(["evaluate", "--pred", base + "-five.csv", "--truth", truth])
        #expect(five.status == 0 && five.output.contains("scored 5 galaxies: the predictions cover 5 of the 40 rows"), "\(five.output) \(five.error)")
        lines[1] = "999999" + lines[1].drop { $0 != "," }
        try (lines.prefix(6).joined(separator: "\n") + "\n").write(toFile: base + "-stranger.csv", atomically: true, encoding: .utf8)
        let stranger = try CLI.run(["evaluate", "--pred", base + "-stranger.csv", "--truth", truth])
        #expect(stranger.status != 0 && stranger.error.contains("1 of its 5 GalaxyIDs are not in") && stranger.error.contains("999999"), "\(stranger.error)")
        let partial = try CLI.run(["evaluate", "--pred", base + "-stranger.csv", "--truth", truth, "--partial"])
        #expect(partial.status == 0 && partial.output.contains("scored 4 galaxies"), "\(partial.output) \(partial.error)")
        let split = try CLI.run(["predict", "--run", "/nonexistent-run", "--images", "/tmp", "--split", "validation", "--out", base + "-p.csv"])
        #expect(split.status != 0 && split.error.contains("--split chooses images of the run's dataset; it does nothing with --images"), "\(split.error)")
        let blend = try CLI.run(["blend", "--validation", base + "-five.csv", base + "-five.csv", "--truth", truth, "--out", base + "-blend.csv"])
        #expect(blend.status != 0 && blend.error.contains("--out and --test go together"), "\(blend.error)")
    }

    @Test func mockRefusesAFolderHoldingSomethingElse() throws {
        let folder = scratch("occupied")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "mine".write(toFile: folder + "/galaxy.jpg", atomically: true, encoding: .utf8)
        let result = try CLI.run(["mock", "--count", "10", "--out", folder])
        #expect(result.status != 0 && result.error.contains("not empty") && result.error.contains("galaxy.jpg"), "\(result.error)")
        #expect(try String(contentsOfFile: folder + "/galaxy.jpg", encoding: .utf8) == "mine")
    }
}
