import ArgumentParser
import Foundation
import GalaxyDemo
import GalaxyTraining

/// `galaxynet demo`: the whole system on a mock universe in about ten minutes on two cores.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo",
        abstract: "Mock universe → train two small variants → predict with 60-way TTA → blend → submission and report.")

    @Option(help: "Output folder (must not exist).") var out = "demo-output"
    @Option(help: "Training galaxies in the mock universe (10% validate).") var count = 2000
    @Option(help: "Test galaxies.") var testCount = 300
    @Option(help: "Update steps per model.") var steps = 1200
    @OptionGroup var augmentation: TTAOptions
    @OptionGroup var compute: BackendOptions
    @Option(help: "Random seed.") var seed: UInt64 = 1

    func validate() throws {
        guard count >= 10, testCount >= 1, steps > 0 else {
            throw ValidationError("--count must be at least 10 (a tenth validates), --test-count and --steps at least 1")
        }
        guard !FileManager.default.fileExists(atPath: out) else {
            throw ValidationError("\(out) already exists; choose another --out (nothing is overwritten)")
        }
    }

    func run() throws {
        var settings = Demo.Settings(out: out)
        (settings.count, settings.testCount, settings.steps, settings.tta, settings.seed) = (count, testCount, steps, augmentation.tta, seed)
        let started = Date()
        StopSignal.installHandlers()
        let report = try Demo(settings: settings, backend: compute.backend.backend).run { text in
            FileHandle.standardOutput.write(Data((String(format: "[%5.0f s] ", Date().timeIntervalSince(started)) + text + "\n").utf8))
        }
        guard let report else { throw ExitCode(130) }
        print(report)
    }
}
