import ArgumentParser
import Foundation
import GalaxyImaging
import GalaxyZoo
import GalaxyMock

/// Progress on standard error: done/total, rate and ETA.
func printProgress(_ what: String, _ done: Int, _ total: Int, _ seconds: Double) {
    let rate = Double(done) / max(seconds, 1e-9)
    let eta = rate > 0 ? Double(total - done) / rate : .infinity
    FileHandle.standardError.write(Data(String(format: "\r%@ %d/%d  %.1f/s  ETA %.0f s   ", what, done, total, rate, eta).utf8))
    if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
}

/// `galaxynet mock`: writes a mock galaxy universe in the Kaggle layout.
struct MockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock",
        abstract: "Write a mock galaxy universe in the exact Kaggle layout (JPEGs, solutions, test set, truth).")

    @Option(help: "Training galaxies.") var count = 2000
    @Option(help: "Test galaxies (their solutions go to a separate file for scoring).") var testCount = 0
    @Option(help: "Random seed: the same seed writes the same universe.") var seed: UInt64 = 1
    @Option(help: "Output folder.") var out: String
    @Option(help: "Worker threads (default: all cores).") var threads = Parallelism.cores
    @Flag(help: "Print the summary as JSON.") var json = false

    func validate() throws {
        guard count >= 10, testCount >= 0, threads > 0 else { throw ValidationError("--count must be at least 10, --test-count ≥ 0, --threads > 0") }
    }

    func run() throws {
        var options = MockUniverse.Options(count: count, testCount: testCount, seed: seed)
        options.threads = threads
        let summary = try MockUniverse.generate(options, into: out) { printProgress("rendering", $0, $1, $2) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            return
        }
        print("wrote \(summary.trainingCount) training and \(summary.testCount) test galaxies to \(out)")
        print(String(format: "  %.1f s, %.1f galaxies/s on %d threads", summary.seconds, summary.galaxiesPerSecond, threads))
        print("  kinds: " + summary.kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        print(String(format: "  oracle RMSE (true probabilities vs. crowd votes): training %.4f", summary.oracleRMSETraining)
              + (summary.oracleRMSETest.map { String(format: ", test %.4f", $0) } ?? ""))
        print(String(format: "  baselines on the %@ set: training mean %.4f, all zeros %.4f",
                     summary.testCount > 0 ? "test" : "training", summary.meanBaselineRMSETest, summary.zerosBaselineRMSETest))
    }
}

/// `galaxynet inspect-mock`: a PNG montage of mock galaxies with their top crowd answers.
struct InspectMockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect-mock", abstract: "Write a PNG grid of mock (or real) galaxies captioned with their top answers.")

    @Argument(help: "A dataset folder in the Kaggle layout.") var data: String
    @Option(help: "Output PNG.") var out: String
    @Option(help: "Galaxies to show.") var count = 24
    @Option(help: "Images per row.") var columns = 6

    func run() throws {
        guard count > 0, columns > 0 else { throw ValidationError("--count and --columns must be positive") }
        let dataset = try KaggleDataset(root: data)
        var tiles: [RGBImage] = []
        for row in 0..<min(count, dataset.labels.count) {
            let id = dataset.labels.ids[row]
            let image = try JPEG.read(dataset.trainingImagePath(id)).shrunk(by: 2)
            var tile = RGBImage(width: image.width, height: image.height + 40, fill: (0, 0, 0))
            tile.paste(image, x: 0, y: 0)
            let lines = ["\(id)"] + Self.caption(Array(dataset.labels.row(row)))
            for (i, line) in lines.enumerated() {
                BitmapFont.draw(line, into: &tile, x: 3, y: image.height + 2 + 9 * i, colour: i == 0 ? (150, 150, 150) : (235, 235, 235))
            }
            tiles.append(tile)
        }
        try PNG.write(RGBImage.grid(tiles, columns: columns), to: out)
        print("wrote \(out) (\(tiles.count) galaxies)")
    }

    /// The crowd's main path down the tree, as three short lines.
    static func caption(_ values: [Float]) -> [String] {
        func best(_ q: Int) -> (DecisionTree.Answer, Float) {
            let question = DecisionTree.questions[q - 1]
            let a = question.answers.max { values[$0.column] < values[$1.column] }!
            return (a, values[a.column])
        }
        func text(_ q: Int) -> String { let (a, v) = best(q); return String(format: "%@ %.2f", a.text, v) }
        let (first, _) = best(1)
        var lines = [text(1)]
        switch first.number {
        case 1: lines.append(text(7))
        case 2:
            let (edge, _) = best(2)
            lines.append(edge.number == 1 ? "edge-on, bulge " + text(9)
                         : (values[7] > values[8] ? "spiral, arms: " + text(11) : "no spiral, bulge " + text(5)))
        default: lines.append("")
        }
        lines.append(values[13] > 0.5 ? "odd: " + text(8) : String(format: "nothing odd %.2f", values[14]))
        return lines
    }
}
