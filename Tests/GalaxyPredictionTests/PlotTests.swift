import Foundation
import Testing
import GalaxyCore
import GalaxyZoo
import GalaxyTraining
import GalaxyPrediction
import TestSupport

/// Plots a person can read: round ticks, and every text inside the canvas and clear of the others
/// as librsvg draws it (Tests/Support/svg_text_boxes.py; rsvg-convert and Pillow, installed by
/// `make test`).
@Suite("Plots")
struct PlotTests {
    @Test func ticksAreRoundAndLabelledWithTheDecimalsTheyNeed() {
        let rmse = NiceTicks.ticks(low: 0.129, high: 0.161)
        #expect(rmse.step == 0.01 && NiceTicks.labels(rmse.values, step: rmse.step) == ["0.12", "0.13", "0.14", "0.15", "0.16", "0.17"])
        let images = NiceTicks.ticks(low: 0, high: 58_000)
        #expect(NiceTicks.labels(images.values, step: images.step) == ["0", "20k", "40k", "60k"])
        let steps = NiceTicks.ticks(low: 0, high: 1_562_500)
        #expect(steps.step == 500_000 && NiceTicks.labels(steps.values, step: steps.step) == ["0", "0.5M", "1.0M", "1.5M", "2.0M"])
        let unit = NiceTicks.ticks(low: 0, high: 1)
        #expect(NiceTicks.labels(unit.values, step: unit.step) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        let few = NiceTicks.ticks(low: 0, high: 300)
        #expect(NiceTicks.labels(few.values, step: few.step) == ["0", "100", "200", "300"])
        #expect(NiceTicks.ticks(low: 0.5, high: 0.5).values.count >= 1)
    }

    @Test func longNamesAreShortenedInTheMiddleAndEscaped() {
        let name = "exp-dirichlet-multinomial-fraction-weight-1000-24000-steps-seed-1"
        let short = PlotText.shortened(name, toWidth: 150, size: 12)
        #expect(short.hasPrefix("exp-") && short.hasSuffix("seed-1") && short.contains("…") && PlotText.width(short, size: 12) <= 150, "\(short)")
        #expect(PlotText.shortened("short", toWidth: 150, size: 12) == "short")
        #expect(PlotText.escaped("a < b & c") == "a &lt; b &amp; c")
    }

    /// The learning curve, `compare`, the reliability diagram and evaluate's scatter, each with
    /// long names and awkward ranges, rendered and measured.
    @Test func everyPlotKeepsItsTextInsideTheCanvasAndApart() throws {
        guard TestSupport.pythonHas("PIL"), FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") else {
            print("skipped: rsvg-convert (Debian librsvg2-bin) or Pillow missing; make test installs them"); return
        }
        let folder = TestSupport.temporaryFolder("plots")
        let long = "a-run-with-a-rather-long-descriptive-name-that-people-really-use-\(42)"
        let log = (1...60).map { s in
            RunFolder.LogEntry(step: s * 970, loss: pow(0.161 - Double(s) * 0.0005, 2), learning_rate: 0.04, images_per_second: 100,
                               validation_rmse: s % 10 == 0 ? 0.129 + 0.03 / Double(s) : nil, phase: "normalised")
        }
        let curves = (0..<5).map { i in
            RunComparison.Curve(label: i == 0 ? long : "run-\(i)", recipe: "faithful",
                                points: (1...12).map { (images: $0 * 4_850, rmse: 0.12 + 0.04 / Double($0 + i)) })
        }
        let tree = DecisionTree.gzDECaLSDR5, rows = 50
        let truth = (0..<(rows * tree.outputCount)).map { Float(($0 * 37) % 100) / 100 }
        let plots = [
            ("learning-curve", LearningCurve.svg(log, baseline: 0.1611, title: "best on /data/a/rather/deep/folder/of/galaxy-zoo/images_training_rev1 & more")),
            ("compare", RunComparison(curves: curves, baseline: 0.1611, floor: 0.0569).svg(title: "Validation RMSE against images seen — \(long)", target: 0.13)),
            ("reliability", Calibration.reliabilitySVG([(long, [0.1, 0.2, 0.31, 0.41, 0.52, 0.62, 0.72, 0.81, 0.9, 0.95, 0.99]), ("exp-mse-24k", [0.35, 0.35, 0.36, 0.37, 0.39, 0.4, 0.42, 0.43, 0.45, 0.47, 0.49])],
                                                       title: "reliability on mockdecals/test_votes.csv")),
            ("scatter", Report.scatterSVG(predictions: truth.reversed(), truth: truth, tree: tree, title: "validation predictions of \(long) against the crowd")),
        ]
        var paths: [String] = []
        for (name, svg) in plots {
            let path = folder + "/\(name).svg"
            try svg.write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let script = TestSupport.repositoryRoot + "/Tests/Support/svg_text_boxes.py"
        let found = try TestSupport.python("import sys, runpy; sys.argv = ['svg_text_boxes.py'] + \(paths); runpy.run_path('\(script)', run_name='__main__')")
        #expect(found == "ok\n", "\(found)")
    }
}
