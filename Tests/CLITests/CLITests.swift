import Foundation
import Testing

/// Runs the built `galaxynet` binary and checks what it prints.
enum CLI {
    /// The `galaxynet` executable built next to the test bundle.
    static var executable: URL {
        let here = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        return here.appendingPathComponent("galaxynet")
    }

    /// Runs galaxynet with `arguments`; returns exit status, stdout and stderr.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile(), error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: error, as: UTF8.self))
    }
}

/// The shared data folder next to the repository.
let sharedData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data")

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
