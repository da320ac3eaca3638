import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyImaging
import GalaxyZoo
import GalaxyMock

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
    @OptionGroup var decisionTree: TreeOptions
    @Option(help: "Volunteers per galaxy, MIN..MAX, drawn uniformly (the Kaggle data had about 40).") var volunteers = "30..50"
    @Option(help: "Bands of the images: 3 (colour JPEGs, as SDSS) or 1 (grey-scale JPEGs, a one-band survey; train with --bands 1).")
    var bands = 3
    @OptionGroup var output: JSONOptions

    var volunteerRange: ClosedRange<Int> {
        get throws {
            let parts = volunteers.components(separatedBy: ".."), bounds = parts.compactMap { Int($0) }
            guard parts.count == 2, bounds.count == 2, bounds[0] >= 1, bounds[0] <= bounds[1] else {
                throw ValidationError("--volunteers must be MIN..MAX with 1 ≤ MIN ≤ MAX, e.g. 5..40 (got \(volunteers))")
            }
            return bounds[0]...bounds[1]
        }
    }

    func validate() throws {
        guard count >= 10, testCount >= 0, threads > 0 else { throw ValidationError("--count must be at least 10, --test-count ≥ 0, --threads > 0") }
        _ = try volunteerRange
        guard CutoutFormat.bandCounts.contains(bands) else { throw ValidationError("--bands must be 1 or 3 (got \(bands))") }
    }

    func run() throws {
        var options = MockUniverse.Options(count: count, testCount: testCount, seed: seed)
        options.threads = threads
        options.volunteers = try volunteerRange
        options.tree = try decisionTree.tree
        options.bands = bands
        let progress = Progress("rendering")
        let summary = try MockUniverse.generate(options, into: out) { done, total, _ in progress(done, total) }
        if output.json { return try output.print(summary) }
        print("wrote \(summary.trainingCount) training and \(summary.testCount) test galaxies to \(out)" + (bands == 1 ? " (grey-scale, one band)" : ""))
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
    @OptionGroup var decisionTree: TreeOptions

    func validate() throws {
        guard count > 0, columns > 0 else { throw ValidationError("--count and --columns must be positive") }
        try OutputPath.check(out, extensions: ["png"])
    }

    func run() throws {
        let dataset = try KaggleDataset(root: data, tree: try decisionTree.tree)
        var tiles: [RGBImage] = []
        for row in 0..<min(count, dataset.labels.count) {
            let id = dataset.labels.ids[row]
            let image = try ImageSource.display(dataset.trainingImagePath(id)).shrunk(by: 2)
            var tile = RGBImage(width: image.width, height: image.height + 40, fill: (0, 0, 0))
            tile.paste(image, x: 0, y: 0)
            let lines = ["\(id)"] + dataset.tree.caption(Array(dataset.labels.row(row)))
            for (i, line) in lines.enumerated() {
                BitmapFont.draw(line, into: &tile, x: 3, y: image.height + 2 + 9 * i, colour: i == 0 ? (150, 150, 150) : (235, 235, 235))
            }
            tiles.append(tile)
        }
        try PNG.write(RGBImage.grid(tiles, columns: columns), to: out)
        print("wrote \(out) (\(tiles.count) galaxies)")
    }
}
