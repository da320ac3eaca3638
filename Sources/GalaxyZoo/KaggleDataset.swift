import Foundation

/// A dataset in the Kaggle layout: `training_solutions_rev1.csv`, `images_training_rev1/`,
/// optionally `images_test_rev1/` (and, for mock universes, `test_solutions.csv` and `truth.csv`).
/// With a tree other than gz2 the solutions hold the tree's `…_fraction` columns, and a
/// `training_votes.csv` of vote counts beside them (`VoteCounts`) gives the labels when present.
public struct KaggleDataset: Sendable {
    public static let solutionsFile = "training_solutions_rev1.csv"
    public static let trainingFolder = "images_training_rev1"
    public static let testFolder = "images_test_rev1"
    /// Mock universes only: the test set's vote fractions, kept apart for scoring.
    public static let testSolutionsFile = "test_solutions_rev1.csv"

    public let root: String
    /// Labelled galaxies in ascending ID order.
    public let labels: GalaxyTable
    /// Their vote counts, row for row, where the dataset has them; the fractions in `labels` are then made from them.
    public let votes: VoteCounts?
    public let tree: DecisionTree
    /// The file the labels come from: the vote counts where present, else the solutions.
    public var labelsFile: String { (root as NSString).appendingPathComponent(votes == nil ? Self.solutionsFile : VoteCounts.file) }
    /// Test galaxy IDs (ascending); empty without a test folder.
    public let testIDs: [Int]

    /// Opens `root`, checking that every label row has an image and every image a label row.
    public init(root: String, tree: DecisionTree = .gz2) throws {
        self.root = root
        self.tree = tree
        let countsFile = (root as NSString).appendingPathComponent(VoteCounts.file)
        let counts = FileManager.default.fileExists(atPath: countsFile) ? try VoteCounts.read(countsFile, tree: tree) : nil
        let solutions = counts == nil ? (root as NSString).appendingPathComponent(Self.solutionsFile) : countsFile
        let table = try counts?.fractions ?? KaggleCSV.read(solutions, tree: tree)
        let images = try Self.listImages(in: (root as NSString).appendingPathComponent(Self.trainingFolder))
        let imageSet = Set(images)
        if let i = table.ids.indices.first(where: { !imageSet.contains(table.ids[$0]) }) {
            let missing = table.ids.filter { !imageSet.contains($0) }.count
            throw KaggleDataError(file: solutions, line: table.lines[i],
                                  reason: "GalaxyID \(table.ids[i]) has no image \(Self.trainingFolder)/\(table.ids[i]).jpg (\(missing) label rows lack an image)")
        }
        let labelled = Set(table.ids)
        if let orphan = images.first(where: { !labelled.contains($0) }) {
            let count = images.filter { !labelled.contains($0) }.count
            throw KaggleDataError(file: (root as NSString).appendingPathComponent("\(Self.trainingFolder)/\(orphan).jpg"),
                                  reason: "image has no row in \(Self.solutionsFile) (\(count) images lack a label)")
        }
        let order = table.ids.indices.sorted { table.ids[$0] < table.ids[$1] }
        labels = table.subset(order)
        votes = counts?.subset(order)
        let testFolder = (root as NSString).appendingPathComponent(Self.testFolder)
        testIDs = FileManager.default.fileExists(atPath: testFolder) ? try Self.listImages(in: testFolder) : []
    }

    public func trainingImagePath(_ id: Int) -> String { "\(root)/\(Self.trainingFolder)/\(id).jpg" }
    public func testImagePath(_ id: Int) -> String { "\(root)/\(Self.testFolder)/\(id).jpg" }

    /// The original's split: the first 90% of IDs in ascending order train, the last
    /// `count / 10` (the highest IDs) validate. Returns row indices into `labels`.
    public var split: (training: [Int], validation: [Int]) {
        let validation = labels.count / 10
        let cut = labels.count - validation
        return (Array(0..<cut), Array(cut..<labels.count))
    }

    /// IDs of the `<GalaxyID>.jpg` files in a folder, ascending; any other file is an error.
    public static func listImages(in folder: String) throws -> [Int] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw KaggleDataError(file: folder, reason: "cannot list the image folder (\(error.localizedDescription))")
        }
        var ids: [Int] = []
        for name in names where !name.hasPrefix(".") {
            guard name.hasSuffix(".jpg"), let id = Int(name.dropLast(4)), id >= 0 else {
                throw KaggleDataError(file: (folder as NSString).appendingPathComponent(name),
                                      reason: "unexpected file in an image folder: names must be <GalaxyID>.jpg")
            }
            // 0102474.jpg would be read as galaxy 102474 while its path is never opened.
            guard String(id) + ".jpg" == name else {
                throw KaggleDataError(file: (folder as NSString).appendingPathComponent(name),
                                      reason: "GalaxyIDs are written without leading zeros or signs: rename it \(id).jpg")
            }
            ids.append(id)
        }
        return ids.sorted()
    }
}
