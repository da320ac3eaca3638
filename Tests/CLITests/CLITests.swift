import Foundation
import Testing
import TestSupport

/// Runs the built `galaxynet` binary and checks what it prints.
enum CLI {
    /// The `galaxynet` executable built next to the test bundle.
    static var executable: URL {
        let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        return here.appendingPathComponent("galaxynet")
    }

    /// Runs galaxynet with `arguments`; returns exit status, stdout and stderr.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try run(executable, arguments)
    }

    /// Runs any program (with extra environment variables).
    static func run(_ program: URL, _ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }
}

/// A fresh path in the temporary folder.
func scratch(_ name: String) -> String { FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path }

/// A command that must succeed (test set-up) failed: its arguments and what it said.
struct SetUpFailure: Error, CustomStringConvertible {
    let arguments: [String], status: Int32, error: String
    var description: String { "set-up `galaxynet \(arguments.joined(separator: " "))` exited \(status): \(error)" }
}

extension CLI {
    /// Runs galaxynet for a test's set-up; a failure throws, so the tests that need it fail with its message.
    @discardableResult
    static func setUp(_ arguments: [String]) throws -> String {
        let result = try run(arguments)
        guard result.status == 0 else { throw SetUpFailure(arguments: arguments, status: result.status, error: result.error) }
        return result.output
    }
}

/// A mock universe written by `galaxynet mock` into a fresh folder.
func mockUniverse(count: Int, testCount: Int, seed: Int) throws -> String {
    let path = scratch("mock")
    try CLI.setUp(["mock", "--count", String(count), "--test-count", String(testCount), "--seed", String(seed), "--out", path])
    return path
}

/// The Kaggle header, for format checks.
enum KaggleHeader {
    static let text = "GalaxyID," + (1...11).flatMap { q in (1...[3, 2, 2, 2, 4, 2, 3, 7, 3, 3, 6][q - 1]).map { "Class\(q).\($0)" } }.joined(separator: ",")
}

/// The shared data folder next to the repository.
let sharedData = URL(fileURLWithPath: TestSupport.sharedDataRoot)

@Suite("galaxynet command line")
struct CLITests {
    var mnist: String { sharedData.appendingPathComponent("mnist/mnist_5k.csv.gz").path }

    @Test func lenetTrainsAndReportsEachEpoch() throws {
        let result = try CLI.run(["lenet", "--data", mnist, "--epochs", "2", "--train-count", "1000", "--test-count", "300"])
        #expect(result.status == 0, "stderr: \(result.error)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("    1 ") } && lines.contains { $0.hasPrefix("    2 ") })
        #expect(result.output.contains("final test error"))
        #expect(result.output.contains("1000 training / 300 test digits"))
    }

    @Test func benchLenetComparesBothBackends() throws {
        let result = try CLI.run(["bench", "lenet", "--data", mnist, "--epochs", "1", "--train-count", "64", "--test-count", "64", "--json"])
        #expect(result.status == 0, "stderr: \(result.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let speedup = try #require(object["speedup"] as? Double)
        #expect(speedup > 0)
        for side in ["reference", "onednn"] {
            let entry = try #require(object[side] as? [String: Any])
            let error = try #require(entry["test_error"] as? Double)
            #expect(error >= 0 && error <= 1)
        }
    }

    @Test func checkLabelsPassesTheRealSampleAndFlagsPlantedViolations() throws {
        let real = sharedData.appendingPathComponent("kaggle-sample/training_solutions_rev1.csv").path
        let ok = try CLI.run(["check-labels", real])
        #expect(ok.status == 0 && ok.output.contains("all rows obey the decision tree"), "\(ok.output) \(ok.error)")
        var lines = try String(contentsOfFile: real, encoding: .utf8).split(separator: "\n").map(String.init)
        var fields = lines[2].split(separator: ",").map(String.init)
        fields[1] = "0.9"  // Q1 of GalaxyID 100023 no longer sums to 1
        lines[2] = fields.joined(separator: ",")
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("labels-\(UUID().uuidString).csv").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: bad, atomically: true, encoding: .utf8)
        let result = try CLI.run(["check-labels", bad])
        #expect(result.status == 1)
        #expect(result.output.contains("\(bad):3: GalaxyID 100023 question 1"), "\(result.output)")
        #expect(result.output.contains("Q1: 1"))
    }

    @Test func mockWritesADatasetAndReportsTheOracleFloor() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("mock-\(UUID().uuidString)").path
        let result = try CLI.run(["mock", "--count", "30", "--test-count", "10", "--seed", "3", "--out", out])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("wrote 30 training and 10 test galaxies"))
        #expect(result.output.contains("oracle RMSE"))
        #expect(result.error.contains("40/40"), "progress on stderr")
        for file in ["training_solutions_rev1.csv", "test_solutions_rev1.csv", "truth.csv"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        let montage = try CLI.run(["inspect-mock", out, "--out", out + "/montage.png", "--count", "6"])
        #expect(montage.status == 0 && FileManager.default.fileExists(atPath: out + "/montage.png"))
        let again = try CLI.run(["mock", "--count", "30", "--out", out])
        #expect(again.status != 0 && again.error.contains("already exists"), "nothing the user made is overwritten")
    }

    @Test func extractWritesOneRowPerImageAndComparesWithSExtractor() throws {
        let images = sharedData.appendingPathComponent("kaggle-sample/images_training_rev1").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("extract-\(UUID().uuidString).csv").path
        let result = try CLI.run(["extract", images, "--out", out])
        #expect(result.status == 0, "\(result.error)")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "GalaxyID,x,y,a,b,theta,petrosian_radius_px,scale")
        #expect(lines.count == 5 && lines[1].hasPrefix("100008,"))
        let sdss = sharedData.appendingPathComponent("sdss-dev").path
        let compared = try CLI.run(["extract", sdss + "/images", "--out", out, "--compare", sdss + "/sextractor_params.csv"])
        #expect(compared.status == 0 && compared.output.contains("centre error") && compared.output.contains("(256 galaxies)"), "\(compared.output)")
    }

    @Test func inspectPrintsTheExtractionAndWritesAPNG() throws {
        let image = sharedData.appendingPathComponent("kaggle-sample/images_training_rev1/100023.jpg").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString).png").path
        let result = try CLI.run(["inspect", image, "--out", out])
        #expect(result.status == 0 && result.output.contains("Petrosian radius"), "\(result.output) \(result.error)")
        let png = try #require(FileManager.default.contents(atPath: out))
        #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        let missing = try CLI.run(["inspect", "/nonexistent/galaxy.jpg"])
        #expect(missing.status != 0 && missing.error.contains("/nonexistent/galaxy.jpg"))
    }

    @Test func benchAugmentPrintsJSON() throws {
        let images = sharedData.appendingPathComponent("kaggle-sample/images_training_rev1").path
        let result = try CLI.run(["bench", "augment", "--images", images, "--count", "8", "--json"])
        #expect(result.status == 0, "\(result.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let stages = try #require(object["per_image_ms"] as? [String: Double])
        #expect(Set(stages.keys) == ["decode", "source_extraction", "warp_both_views", "colour", "parts"])
        #expect((object["total_ms"] as? Double ?? 0) > 0)
        let pipeline = try #require(object["pipeline_images_per_second"] as? [String: Double])
        #expect((pipeline["1"] ?? 0) > 0 && (pipeline["2"] ?? 0) > 0)
    }

    @Test func modelsListsTheBestModelWithItsParameterCount() throws {
        let result = try CLI.run(["models"])
        #expect(result.status == 0)
        #expect(result.output.contains("best") && result.output.contains("42377125"))
        for name in ["one-maxout", "big256", "bigger", "normconstraint", "shareddense", "shareddense512", "8433", "centred", "small"] {
            #expect(result.output.contains(name), "\(name)")
        }
        let json = try CLI.run(["models", "--show", "small"])
        #expect(json.status == 0 && json.output.contains("\"convolutions\""))
    }

    @Test func trainWritesARunAndResumes() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("train-\(UUID().uuidString)").path
        #expect(try CLI.run(["mock", "--count", "30", "--out", base + "/data"]).status == 0)
        let result = try CLI.run(["train", "--data", base + "/data", "--model", "small", "--steps", "10", "--out", base + "/run",
                                  "--validate-every", "5", "--warmup", "2", "--dead-answer-penalty", "0.3"])
        #expect(result.status == 0, "\(result.error)")
        let options = try String(contentsOfFile: base + "/run/run.json", encoding: .utf8)
        #expect(options.contains("\"deadAnswerPenalty\"") && options.contains("0.3"), "run.json: \(options)")
        #expect(result.output.contains("step 10/10") && result.output.contains("validation RMSE") && result.output.contains("img/s"))
        for file in ["model.json", "run.json", "log.jsonl", "learning-curve.svg", "checkpoint/weights.safetensors",
                     "checkpoint/optimizer.safetensors", "checkpoint/state.json"] {
            #expect(FileManager.default.fileExists(atPath: base + "/run/" + file), "\(file)")
        }
        let again = try CLI.run(["train", "--data", base + "/data", "--model", "small", "--steps", "10", "--out", base + "/run"])
        #expect(again.status != 0 && again.error.contains("already holds a run"))
        let resumed = try CLI.run(["train", "--resume", base + "/run"])
        #expect(resumed.status == 0 && resumed.output.contains("finished at step 10"), "\(resumed.output) \(resumed.error)")
        let negative = try CLI.run(["train", "--data", base + "/data", "--out", base + "/other", "--dead-answer-penalty", "-1"])
        #expect(negative.status != 0 && negative.error.contains("--dead-answer-penalty"), "\(negative.error)")
        let unknown = try CLI.run(["train", "--data", base + "/data", "--model", "nonexistent", "--out", base + "/other"])
        #expect(unknown.status != 0 && unknown.error.contains("nonexistent"))
    }

    @Test func predictEvaluateBlendAndClassify() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("predict-\(UUID().uuidString)").path
        #expect(try CLI.run(["mock", "--count", "40", "--test-count", "4", "--out", base + "/data"]).status == 0)
        #expect(try CLI.run(["train", "--data", base + "/data", "--model", "small", "--steps", "6", "--out", base + "/run", "--warmup", "2"]).status == 0)
        let validation = try CLI.run(["predict", "--run", base + "/run", "--split", "validation", "--tta", "1", "--out", base + "/val.csv"])
        #expect(validation.status == 0, "\(validation.error)")
        let test = try CLI.run(["predict", "--run", base + "/run", "--split", "test", "--tta", "60", "--out", base + "/test.csv"])
        #expect(test.status == 0 && test.output.contains("4 galaxies × 60 transforms"), "\(test.output) \(test.error)")
        let csv = try String(contentsOfFile: base + "/test.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 5 && String(csv[0]) == KaggleHeader.text)
        #expect(FileManager.default.fileExists(atPath: base + "/test.npy"))
        let evaluation = try CLI.run(["evaluate", "--pred", base + "/val.csv", "--truth", base + "/data/training_solutions_rev1.csv",
                                      "--plot", base + "/scatter.svg"])
        #expect(evaluation.status == 0, "\(evaluation.error)")
        #expect(evaluation.output.contains("training-mean baseline") && evaluation.output.contains("oracle floor") && evaluation.output.contains("Q11"))
        #expect(FileManager.default.fileExists(atPath: base + "/scatter.svg"))
        let blend = try CLI.run(["blend", "--validation", base + "/val.csv", base + "/val.csv", "--test", base + "/test.csv", base + "/test.csv",
                                 "--truth", base + "/data/training_solutions_rev1.csv", "--out", base + "/blend.csv"])
        #expect(blend.status == 0 && blend.output.contains("pruned uniform blend"), "\(blend.output) \(blend.error)")
        let image = sharedData.appendingPathComponent("kaggle-sample/images_training_rev1/100008.jpg").path
        let classify = try CLI.run(["classify", "--run", base + "/run", "--tta", "1", image])
        #expect(classify.status == 0 && classify.output.contains("→") && classify.output.contains("11.6"), "\(classify.output) \(classify.error)")
    }

    @Test func benchPredictPrintsJSON() throws {
        let images = sharedData.appendingPathComponent("kaggle-sample/images_training_rev1").path
        let result = try CLI.run(["bench", "predict", "--model", "small", "--images", images, "--count", "2", "--json"])
        #expect(result.status == 0, "\(result.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect((object["images_per_second"] as? Double ?? 0) > 0 && object["tta"] as? Int == 60)
        let missing = try CLI.run(["bench", "predict", "--model", "small", "--images", "/nonexistent/images", "--count", "1"])
        #expect(missing.status != 0 && missing.error.contains("/nonexistent/images: no such folder"), "\(missing.error)")
    }

    @Test func benchTrainPrintsJSON() throws {
        let result = try CLI.run(["bench", "train", "--model", "small", "--steps", "2", "--warm-up", "1", "--json"])
        #expect(result.status == 0, "\(result.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect((object["images_per_second"] as? Double ?? 0) > 0)
        let shares = try #require(object["shares"] as? [String: Double])
        #expect(Set(["conv", "dense", "optimizer", "data_wait"]).isSubset(of: Set(shares.keys)))
        #expect(abs(shares.values.reduce(0, +) - 1) < 0.05)
        #expect(object["recipe"] as? String == "faithful" && object["batch"] as? Int == 16)
        let fast = try CLI.run(["bench", "train", "--model", "small", "--steps", "2", "--warm-up", "1", "--recipe", "fast", "--json"])
        let fastObject = try #require(try JSONSerialization.jsonObject(with: Data(fast.output.utf8)) as? [String: Any], "\(fast.error)")
        #expect(fastObject["recipe"] as? String == "fast" && fastObject["batch"] as? Int == 8)
        #expect(object["input"] as? String == "realtime")
        let fixed = try CLI.run(["bench", "train", "--model", "small", "--steps", "2", "--warm-up", "1", "--input", "fixed"])
        #expect(fixed.status == 0 && fixed.output.contains("one augmented batch for every update"), "\(fixed.output)\(fixed.error)")
        let unknown = try CLI.run(["bench", "train", "--input", "cached"])
        #expect(unknown.status != 0 && unknown.error.contains("cached"), "\(unknown.error)")
    }

    @Test func lenetNamesAMissingDataFile() throws {
        let result = try CLI.run(["lenet", "--data", "/nonexistent/digits.csv"])
        #expect(result.status != 0)
        #expect(result.error.contains("/nonexistent/digits.csv") && result.error.contains("not found"), "stderr: \(result.error)")
    }

    @Test func benchKernelsPrintsJSONWithEveryLayer() throws {
        let result = try CLI.run(["bench", "kernels", "--images", "1", "--runs", "1", "--sgemm-size", "256", "--json"])
        #expect(result.status == 0, "stderr: \(result.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let peak = try #require(object["sgemm_gflops"] as? Double)
        #expect(peak > 0)
        // The path measured is named, and the AVX2 emulation takes effect in both libraries.
        #expect((object["onednn_isa"] as? String)?.hasPrefix("avx") == true && object["blas_kernels"] is String)
        // make test installs OpenBLAS's OpenMP build, which shares oneDNN's threads.
        #expect(object["blas_threading"] as? String == "openmp", "\(object)")
        let avx2 = try CLI.run(CLI.executable, ["bench", "kernels", "--images", "1", "--runs", "1", "--sgemm-size", "128", "--json"],
                               environment: ["DNNL_MAX_CPU_ISA": "AVX2", "OPENBLAS_CORETYPE": "Haswell"])
        let emulated = try #require(try JSONSerialization.jsonObject(with: Data(avx2.output.utf8)) as? [String: Any])
        #expect(emulated["onednn_isa"] as? String == "avx2" && emulated["blas_kernels"] as? String == "Haswell", "\(emulated)")
        let layers = try #require(object["layers"] as? [[String: Any]])
        #expect(layers.compactMap { $0["name"] as? String } == ["conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "pool4", "dense1", "dense2", "output"])
        for layer in layers {
            for key in ["forward_ms", "backward_ms", "gflops", "ratio_to_sgemm"] {
                let value = try #require(layer[key] as? Double, "\(key) missing")
                #expect(value > 0 && value.isFinite, "\(key) = \(value)")
            }
        }
    }

    @Test func benchKernelsPrintsTable() throws {
        let result = try CLI.run(["bench", "kernels", "--images", "1", "--runs", "1", "--sgemm-size", "128"])
        #expect(result.status == 0)
        #expect(result.output.contains("sgemm 128³"))
        #expect(result.output.contains("conv4"))
        #expect(result.output.contains("ratio to sgemm"))
    }

    @Test func badOptionIsRejectedWithMessage() throws {
        let result = try CLI.run(["bench", "kernels", "--runs", "0"])
        #expect(result.status != 0)
        #expect(result.error.contains("must be positive"))
    }
}
