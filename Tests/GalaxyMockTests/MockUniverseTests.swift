import Foundation
import Testing
import GalaxyCore
import GalaxyImaging
import GalaxyZoo
import GalaxyMock
import TestSupport

@Suite("Mock universe")
struct MockUniverseTests {
    @Test func writesAKaggleDatasetThatObeysTheTreeAndBeatsTheBaseline() throws {
        let folder = TestSupport.temporaryFolder()
        let summary = try MockUniverse.generate(.init(count: 120, testCount: 40, seed: 11), into: folder)
        let dataset = try KaggleDataset(root: folder)
        #expect(dataset.labels.count == 120 && dataset.testIDs.count == 40)
        #expect(Set(dataset.labels.ids).isDisjoint(with: dataset.testIDs))
        #expect(LabelCheck.violations(in: dataset.labels).isEmpty)
        let test = try KaggleCSV.read(folder + "/" + KaggleDataset.testSolutionsFile)
        #expect(test.ids == dataset.testIDs)
        #expect(LabelCheck.violations(in: test).isEmpty)
        // The noise floor is well below the trivial predictor.
        let oracle = try #require(summary.oracleRMSETest)
        #expect(oracle < 0.6 * summary.meanBaselineRMSETest, "\(summary)")
        #expect(oracle > 0.005, "crowd sampling adds noise")
        // Truth file: one row per galaxy with true probabilities that obey the tree.
        let truth = try MockUniverse.readTruth(folder + "/" + MockUniverse.truthFile)
        #expect(truth.count == 160)
        let truthTable = GalaxyTable(ids: Array(truth.keys), values: truth.keys.flatMap { truth[$0]! })
        #expect(LabelCheck.violations(in: truthTable).isEmpty)
        // Images are 424×424 colour JPEGs.
        let image = try JPEG.read(dataset.trainingImagePath(dataset.labels.ids[0]), expectedSize: (424, 424))
        #expect(image.width == 424)
    }

    @Test func sameSeedSameUniverse() throws {
        let a = TestSupport.temporaryFolder(), b = TestSupport.temporaryFolder()
        var options = MockUniverse.Options(count: 12, testCount: 3, seed: 5)
        options.threads = 2
        _ = try MockUniverse.generate(options, into: a)
        options.threads = 1
        _ = try MockUniverse.generate(options, into: b)
        for file in ["training_solutions_rev1.csv", "test_solutions_rev1.csv", "truth.csv"] {
            #expect(FileManager.default.contents(atPath: a + "/" + file) == FileManager.default.contents(atPath: b + "/" + file), "\(file)")
        }
        let ids = try KaggleDataset.listImages(in: a + "/images_training_rev1")
        #expect(FileManager.default.contents(atPath: "\(a)/images_training_rev1/\(ids[0]).jpg")
                == FileManager.default.contents(atPath: "\(b)/images_training_rev1/\(ids[0]).jpg"))
    }

    @Test func refusesToOverwriteADataset() throws {
        let folder = TestSupport.temporaryFolder()
        _ = try MockUniverse.generate(.init(count: 10, testCount: 0, seed: 1), into: folder)
        #expect(throws: KaggleDataError.self) { try MockUniverse.generate(.init(count: 10, testCount: 0, seed: 1), into: folder) }
    }

    @Test func priorCoversEveryAnswer() {
        // Over many galaxies every one of the 37 answers gets real probability mass somewhere.
        var g = SeededGenerator(seed: 9)
        var best = [Float](repeating: 0, count: 37)
        for _ in 0..<3000 {
            let truth = Crowd.expectedFractions(Crowd.conditionals(MorphologyPrior.draw(&g)))
            for i in 0..<37 { best[i] = max(best[i], truth[i]) }
        }
        for (i, value) in best.enumerated() { #expect(value > 0.3, "answer \(DecisionTree.gz2.answers[i].name) peaks at \(value)") }
    }

    @Test func crowdFractionsConvergeToTheTruth() {
        var g = SeededGenerator(seed: 2)
        let m = MorphologyPrior.draw(&g)
        let conditionals = Crowd.conditionals(m)
        let truth = Crowd.expectedFractions(conditionals)
        let votes = Crowd.sampledFractions(conditionals, volunteers: 40_000, generator: &g)
        #expect(Evaluation(predictions: votes, truth: truth, tree: .gz2).rmse < 0.005)
        #expect(LabelCheck.violations(in: GalaxyTable(ids: [1, 2], values: truth + votes)).isEmpty)
    }

    /// The DECaLS crowd: counts obey the tree (a question's volunteers never exceed the votes that
    /// lead to it), and with many volunteers the fractions converge to the truth.
    @Test func decalsCrowdCountsObeyTheTree() throws {
        let tree = DecisionTree.gzDECaLSDR5
        var g = SeededGenerator(seed: 4)
        for _ in 0..<50 {
            let conditionals = try Crowd.conditionals(MorphologyPrior.draw(&g), tree: tree)
            #expect(conditionals.map(\.count) == tree.questions.map(\.answers.count))
            let counts = VoteCounts(ids: [1], counts: Crowd.sampledCounts(conditionals, volunteers: 30, tree: tree, generator: &g).map(Float.init), tree: tree)
            #expect(counts.total(0, tree.questions[0]) == 30)
            for q in tree.questions { if let p = q.parent { #expect(counts.total(0, q) <= counts.counts[p.column]) } }
            #expect(LabelCheck.violations(in: counts.fractions, tree: tree, votes: counts).isEmpty)
        }
        let conditionals = try Crowd.conditionals(MorphologyPrior.draw(&g), tree: tree)
        let many = VoteCounts(ids: [1], counts: Crowd.sampledCounts(conditionals, volunteers: 40_000, tree: tree, generator: &g).map(Float.init), tree: tree)
        #expect(Evaluation(predictions: many.fractions.values, truth: Crowd.expectedFractions(conditionals, tree: tree), tree: tree).rmse < 0.01)
        #expect(throws: MockTreeError.self) { try Crowd.conditionals(MorphologyPrior.draw(&g), tree: DecisionTree.read(Data(#"{"name": "r", "summary": "", "columns": "catalogue", "questions": [{"name": "ring", "text": "", "answers": [{"name": "yes", "text": ""}, {"name": "no", "text": ""}]}]}"#.utf8), source: "r")) }
    }
}
