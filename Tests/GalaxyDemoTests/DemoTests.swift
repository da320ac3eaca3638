import Foundation
import Testing
import GalaxyDemo
import GalaxyKernels
import TestSupport

@Suite("The demo pipeline")
struct DemoTests {
    /// A tiny demo writes the submission, the report with both models and the blends, and never
    /// writes into a folder that exists.
    @Test func aTinyDemoWritesItsFilesAndReport() throws {
        let out = TestSupport.temporaryFolder("demo") + "/out"
        var settings = Demo.Settings(out: out)
        (settings.count, settings.testCount, settings.steps, settings.tta) = (40, 10, 3, .rightAngles)
        let lines = Lines()
        let report = try #require(try Demo(settings: settings, backend: OneDNNBackend.sharedFast).run { lines.append($0) })
        for model in Demo.models { #expect(report.contains("| \(model) | 1 |") && report.contains("| \(model) | 8 |"), "\(report)") }
        #expect(report.contains("Submission RMSE") && report.contains("oracle floor"))
        for file in ["submission.csv", "submission.npy", "report.md", "test-scatter.svg", "run-small/model.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        #expect(try String(contentsOfFile: out + "/report.md", encoding: .utf8) == report)
        #expect(lines.all.contains { $0.hasPrefix("training small-centred") })
        #expect(throws: (any Error).self) { try Demo(settings: settings, backend: OneDNNBackend.sharedFast).run { _ in } }
    }
}

/// Lines said by the demo, collected across threads.
final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
