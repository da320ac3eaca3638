import Foundation
import Testing

@Suite("galaxynet train recipes and compare")
struct RecipeCLITests {
    @Test func fastRecipeIsRecordedAndCompareWritesTheStudy() throws {
        let base = scratch("recipes")
        #expect(try CLI.run(["mock", "--count", "40", "--seed", "3", "--out", base + "/data"]).status == 0)
        let common = ["train", "--data", base + "/data", "--model", "small", "--steps", "8", "--validate-every", "4", "--warmup", "2", "--workers", "1"]
        let faithful = try CLI.run(common + ["--out", base + "/faithful"])
        #expect(faithful.status == 0, "\(faithful.error)")
        let fast = try CLI.run(common + ["--recipe", "fast", "--average-decay", "0.9", "--out", base + "/fast"])
        #expect(fast.status == 0, "\(fast.error)")
        let options = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + "/fast/run.json"))) as! [String: Any]
        #expect(options["recipe"] as? String == "fast" && options["optimizer"] as? String == "adamW" && options["schedule"] as? String == "linear"
                && options["batchSize"] as? Int == 8)
        #expect((options["averageDecay"] as? Double).map { abs($0 - 0.9) < 1e-6 } == true)
        #expect(FileManager.default.fileExists(atPath: base + "/fast/checkpoint/average.safetensors"))

        // A resumed run's options come from run.json: recipe flags are refused, not ignored.
        let resumed = try CLI.run(["train", "--resume", base + "/fast", "--recipe", "faithful", "--optimizer", "nesterov"])
        #expect(resumed.status != 0 && resumed.error.contains("--recipe (the run's recipe is fast with adamW)")
                && resumed.error.contains("--optimizer (") && resumed.error.contains("cannot change a run being resumed"), "\(resumed.error)")
        let decay = try CLI.run(common + ["--weight-decay", "0.1", "--out", base + "/x"])
        #expect(decay.status != 0 && decay.error.contains("AdamW"), "\(decay.error)")
        let stray = try CLI.run(common + ["--recipe", "fast", "--schedule", "cosine", "--schedule-decay", "0.3", "--out", base + "/x"])
        #expect(stray.status != 0 && stray.error.contains("--schedule-decay belongs to the trapezoid schedule"), "\(stray.error)")
        let scaled = try CLI.run(common + ["--recipe", "fast", "--batch", "64", "--scale-learning-rate", "--out", base + "/x"])
        #expect(scaled.status != 0 && scaled.error.contains("square-root rule"), "\(scaled.error)")

        let compare = try CLI.run(["compare", base + "/faithful", base + "/fast", "--labels", "faithful,fast",
                                   "--out", base + "/study.svg", "--table", base + "/study.md"])
        #expect(compare.status == 0, "\(compare.error)")
        #expect(compare.output.contains("| faithful | faithful, nesterov, steps | 128 |"), "\(compare.output)")
        #expect(compare.output.contains("| fast | fast, batch 8, adamW, linear, average 0.9, dropout 0.25, label-mean output biases | 64 |"), "\(compare.output)")
        #expect(compare.output.contains("oracle floor"), "\(compare.output)")
        let svg = try String(contentsOfFile: base + "/study.svg", encoding: .utf8)
        #expect(svg.contains("<path") && svg.contains("oracle floor") && svg.contains("training-mean baseline") && svg.contains("fast ("))
        // Several reference runs (seeds of one recipe): the target is the mean of their final RMSEs.
        let mean = try CLI.run(["compare", base + "/faithful", base + "/fast", "--reference", "0,1", "--out", base + "/mean.svg"])
        #expect(mean.status == 0 && mean.output.contains("(the mean final RMSE of faithful, fast)."), "\(mean.output)\(mean.error)")
        let outside = try CLI.run(["compare", base + "/faithful", base + "/fast", "--reference", "0,2", "--out", base + "/x.svg"])
        #expect(outside.status != 0 && outside.error.contains("--reference as indices between 0 and 1"), "\(outside.error)")
        let elsewhere = try CLI.run(["compare", base + "/faithful", "--out", base + "/missing/study.svg"])
        #expect(elsewhere.status != 0 && elsewhere.error.contains("does not exist"))
    }
}
