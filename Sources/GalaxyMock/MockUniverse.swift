import Dispatch
import Foundation
import GalaxyImaging
import GalaxyCore
import GalaxyZoo

/// A mock galaxy universe in the exact Kaggle layout, so the whole system can be trained and
/// judged without the real data: rendered JPEGs, crowd vote fractions, a test folder, the test
/// set's fractions in a separate file, and a per-galaxy truth file (morphology and the true
/// answer probabilities, which give the oracle RMSE: the noise floor no model can beat).
/// For a tree other than gz2 it also writes the vote counts (`training_votes.csv`,
/// `test_votes.csv`) in the published catalogue columns.
public enum MockUniverse {
    public static let truthFile = "truth.csv"
    /// Mock universes of vote counts only: the test set's counts, kept apart for scoring.
    public static let testVotesFile = "test_votes.csv"

    public struct Options: Sendable {
        public var count: Int
        public var testCount: Int
        public var seed: UInt64
        /// Volunteers per galaxy are drawn uniformly from this range (the real mean was ~40).
        public var volunteers: ClosedRange<Int> = 30...50
        public var jpegQuality = 88
        public var threads = Parallelism.cores
        /// The decision tree the crowd answers.
        public var tree: DecisionTree = .gz2
        /// 3: colour JPEGs as SDSS; 1: grey-scale JPEGs (the rendering's luminance), a one-band survey.
        public var bands = 3
        public init(count: Int, testCount: Int, seed: UInt64) { self.count = count; self.testCount = testCount; self.seed = seed }
    }

    /// One generated galaxy.
    public struct Galaxy: Sendable {
        public var id: Int
        public var isTest: Bool
        public var morphology: Morphology
        public var volunteers: Int
        public var truth: [Float]
        public var votes: [Float]
        /// Votes per answer (the tree's columns).
        public var counts: [Int]
    }

    public struct Summary: Sendable, Codable {
        public var trainingCount: Int, testCount: Int
        /// RMSE of the sampled vote fractions against the true probabilities.
        public var oracleRMSETraining: Double
        /// nil without a test set.
        public var oracleRMSETest: Double?
        /// Test-set RMSE of predicting the training mean, and all zeros.
        public var meanBaselineRMSETest: Double, zerosBaselineRMSETest: Double
        public var seconds: Double
        public var galaxiesPerSecond: Double
        public var kinds: [String: Int]
        /// Bands of the images written (1 or 3).
        public var bands: Int
    }

    /// The galaxy with index `index` of a universe (independent of every other: any thread, any order).
    public static func galaxy(index: Int, id: Int, isTest: Bool, options: Options) throws -> (Galaxy, RGBImage) {
        var g = SeededGenerator(seed: options.seed, stream: 1, UInt64(index))
        let m = MorphologyPrior.draw(&g), tree = options.tree
        let conditionals = try Crowd.conditionals(m, tree: tree)
        let span = options.volunteers.upperBound - options.volunteers.lowerBound + 1
        let volunteers = options.volunteers.lowerBound + Int(g.next() % UInt64(span))
        let counts = Crowd.sampledCounts(conditionals, volunteers: volunteers, tree: tree, generator: &g)
        // gz2 as in the Kaggle data: each count over all volunteers; other trees as their catalogues, within each question.
        let votes = tree == .gz2 ? Crowd.shareOfAll(counts, volunteers: volunteers)
            : VoteCounts(ids: [id], counts: counts.map(Float.init), tree: tree).fractions.values
        let image = GalaxyRenderer.render(m, generator: &g)
        return (Galaxy(id: id, isTest: isTest, morphology: m, volunteers: volunteers, truth: Crowd.expectedFractions(conditionals, tree: tree),
                       votes: votes, counts: counts), image)
    }

    /// Ascending, unique, Kaggle-like IDs, and which of them form the test set.
    static func identities(_ options: Options) -> (ids: [Int], isTest: [Bool]) {
        var g = SeededGenerator(seed: options.seed, stream: 0)
        let total = options.count + options.testCount
        var ids: [Int] = []
        var next = 100_008
        for _ in 0..<total { ids.append(next); next += 1 + Int(g.next() % 30) }
        var test = [Bool](repeating: false, count: total)
        for i in Array(0..<total).shuffled(using: &g).prefix(options.testCount) { test[i] = true }
        return (ids, test)
    }

    /// Writes the universe into `directory` (which must not already hold a dataset).
    public static func generate(_ options: Options, into directory: String,
                                progress: (_ done: Int, _ total: Int, _ seconds: Double) -> Void = { _, _, _ in }) throws -> Summary {
        require(options.count >= 10 && options.testCount >= 0, "MockUniverse: need at least 10 training galaxies, got \(options.count)")
        require(CutoutFormat.bandCounts.contains(options.bands), "MockUniverse: \(options.bands) bands (1 or 3)")
        try Crowd.check(options.tree)  // a tree the crowd cannot answer fails before any file is made
        let fm = FileManager.default
        let solutions = (directory as NSString).appendingPathComponent(KaggleDataset.solutionsFile)
        if fm.fileExists(atPath: solutions) {
            throw KaggleDataError(file: solutions, reason: "already exists: choose another --out folder or delete this dataset first")
        }
        // Nothing a user made is overwritten: a mock universe goes into a new or empty folder.
        if let existing = try? fm.contentsOfDirectory(atPath: directory).filter({ !$0.hasPrefix(".") }), !existing.isEmpty {
            throw KaggleDataError(file: directory, reason: "the folder is not empty (\(existing.sorted().prefix(3).joined(separator: ", "))…); choose a new or empty --out folder")
        }
        let trainFolder = (directory as NSString).appendingPathComponent(KaggleDataset.trainingFolder)
        let testFolder = (directory as NSString).appendingPathComponent(KaggleDataset.testFolder)
        for folder in [trainFolder, testFolder] {
            do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw KaggleDataError(file: folder, reason: "cannot create folder (\(error.localizedDescription))")
            }
        }
        let (ids, isTest) = identities(options)
        let total = ids.count
        let start = DispatchTime.now().uptimeNanoseconds
        let results = ResultSlots<Galaxy>(count: total)
        let failures = ResultSlots<String>(count: total)
        let counter = ProgressCounter()
        Parallelism.forEach(count: total, threads: options.threads) { i in
            let (galaxy, image) = try! galaxy(index: i, id: ids[i], isTest: isTest[i], options: options)  // the tree was checked above
            let path = "\(isTest[i] ? testFolder : trainFolder)/\(ids[i]).jpg"
            if !fm.createFile(atPath: path, contents: Data(JPEG.encode(image, quality: options.jpegQuality, greyscale: options.bands == 1))) {
                failures.set(i, "\(path): cannot write file")
            }
            results.set(i, galaxy)
            counter.increment()
        } monitor: {
            progress(counter.value, total, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        if let failure = failures.values.compactMap({ $0 }).first { throw KaggleDataError(file: directory, reason: failure) }
        let galaxies = results.values.map { $0! }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9

        let training = galaxies.filter { !$0.isTest }, test = galaxies.filter(\.isTest)
        let tree = options.tree
        func table(_ list: [Galaxy], _ values: KeyPath<Galaxy, [Float]>) -> GalaxyTable {
            GalaxyTable(ids: list.map(\.id), values: list.flatMap { $0[keyPath: values] }, width: tree.outputCount)
        }
        func path(_ file: String) -> String { (directory as NSString).appendingPathComponent(file) }
        try KaggleCSV.write(table(training, \.votes), tree: tree, to: solutions)
        if !test.isEmpty { try KaggleCSV.write(table(test, \.votes), tree: tree, to: path(KaggleDataset.testSolutionsFile)) }
        if tree != .gz2 {
            func counts(_ list: [Galaxy]) -> VoteCounts { VoteCounts(ids: list.map(\.id), counts: list.flatMap { $0.counts.map(Float.init) }, tree: tree) }
            try counts(training).write(to: path(VoteCounts.file))
            if !test.isEmpty { try counts(test).write(to: path(testVotesFile)) }
        }
        try writeTruth(galaxies, tree: tree, to: path(truthFile))

        let baselines = Baselines(training: table(training, \.votes))
        let scored = test.isEmpty ? training : test
        let (zeros, mean) = baselines.evaluate(on: table(scored, \.votes), tree: tree)
        func oracle(_ list: [Galaxy]) -> Double? {
            list.isEmpty ? nil : Evaluation(predictions: list.flatMap(\.truth), truth: list.flatMap(\.votes), tree: tree).rmse
        }
        return Summary(trainingCount: training.count, testCount: test.count,
                       oracleRMSETraining: oracle(training)!, oracleRMSETest: oracle(test),
                       meanBaselineRMSETest: mean.rmse, zerosBaselineRMSETest: zeros.rmse,
                       seconds: seconds, galaxiesPerSecond: Double(total) / seconds,
                       kinds: Dictionary(grouping: galaxies, by: { $0.morphology.kind.rawValue }).mapValues(\.count), bands: options.bands)
    }

    static func truthColumns(_ tree: DecisionTree) -> [String] { truthColumns + tree.answers.map { "True\($0.name)" } }
    static let truthColumns = ["GalaxyID", "set", "kind", "volunteers", "half_light_radius_px", "brightness", "axis_ratio",
                               "position_angle", "sersic_index", "bulge_class", "edge_on_bulge", "bar", "spiral", "arm_count",
                               "tightness", "odd_feature", "stars", "neighbours"]

    static func writeTruth(_ galaxies: [Galaxy], tree: DecisionTree, to path: String) throws {
        var text = truthColumns(tree).joined(separator: ",") + "\n"
        for g in galaxies {
            let m = g.morphology
            let fields: [String] = [String(g.id), g.isTest ? "test" : "training", m.kind.rawValue, String(g.volunteers),
                                    String(m.halfLightRadius), String(m.brightness), String(m.axisRatio), String(m.positionAngle),
                                    String(m.sersicIndex), String(m.bulgeClass), String(m.edgeOnBulge.rawValue), m.bar ? "1" : "0",
                                    m.spiral ? "1" : "0", String(m.armCount), String(m.tightness),
                                    m.oddFeature.map { String(describing: $0) } ?? "none", String(m.starCount), String(m.neighbourCount)]
            text += (fields + g.truth.map { KaggleCSV.format($0) }).joined(separator: ",") + "\n"
        }
        try FileOutput.write(text, to: path)
    }

    /// Reads the true probabilities of `truth.csv` by GalaxyID.
    public static func readTruth(_ path: String, tree: DecisionTree = .gz2) throws -> [Int: [Float]] {
        let truthColumns = truthColumns(tree), width = tree.outputCount
        guard let data = FileManager.default.contents(atPath: path) else { throw KaggleDataError(file: path, reason: "file not found") }
        var result: [Int: [Float]] = [:]
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        guard lines.first.map(String.init) == truthColumns.joined(separator: ",") else {
            throw KaggleDataError(file: path, line: 1, reason: "not a mock-universe truth file of tree \(tree.name) (unexpected header)")
        }
        for (n, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == truthColumns.count, let id = Int(fields[0]) else {
                throw KaggleDataError(file: path, line: n + 1, reason: "expected \(truthColumns.count) columns starting with a GalaxyID")
            }
            let values = fields.suffix(width).compactMap { Float($0) }
            guard values.count == width else { throw KaggleDataError(file: path, line: n + 1, reason: "true probabilities are not all numbers") }
            result[id] = values
        }
        return result
    }
}

