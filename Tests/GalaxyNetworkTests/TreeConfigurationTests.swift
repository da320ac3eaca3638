import Foundation
import Testing
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyZoo
import GalaxyNetwork
import TestSupport

/// A model's tree and loss live in its configuration; the output layer obeys any tree.
@Suite("Trees and losses in the model")
struct TreeConfigurationTests {
    @Test func configurationsRecordTreeAndLossAndGz2StaysAbsent() throws {
        var c = try ModelConfiguration.named("small")
        #expect(!c.json.contains("decisionTree") && !c.json.contains("\"loss\""))
        c.tree = .gzDECaLSDR5
        c.loss = .dirichletMultinomial
        let again = try ModelConfiguration.decode(Data(c.json.utf8), file: "model.json")
        #expect(again.tree == .gzDECaLSDR5 && again.objective == .dirichletMultinomial)
        #expect(again.parameterCount == ModelConfiguration.builtIn.first { $0.name == "small" }!.parameterCount - 3 * 257)
        c.tree = .gz2
        #expect(c.decisionTree == nil)
        // Fitted scales belong to a vote model, one positive number per question.
        c.concentrationScales = [1, 2]
        #expect(c.problem?.contains("concentrationScales must be 11 positive numbers, for a dirichlet-multinomial model") == true)
        c.tree = .gzDECaLSDR5
        c.concentrationScales = [Float](repeating: 0.5, count: 10)
        #expect(c.problem == nil)
        c.concentrationScales![3] = -1
        #expect(c.problem != nil)
    }

    /// A vote model's answers are its concentrations' expected fractions scaled down the tree, and
    /// they obey the tree's sums.
    @Test func aVoteModelsAnswersObeyItsTree() throws {
        var c = try ModelConfiguration.named("small")
        c.tree = .gzDECaLSDR5
        c.loss = .dirichletMultinomial
        var g = SeededGenerator(seed: 3)
        let model = GalaxyModel(c, generator: &g, backend: ReferenceBackend.shared)
        var context = ForwardContext.inference
        let parts = Tensor.randomNormal(shape: [32, 3, 45, 45], standardDeviation: 0.3, generator: &g)
        let forward = model.forward(Variable(parts), &context)
        let alpha = forward.concentrations!.value.scalars, answers = forward.answers.value.scalars
        #expect(alpha.allSatisfy { $0 >= 1 && $0 <= 100 } && answers.count == 2 * 34)
        let table = GalaxyTable(ids: [1, 2], values: answers, width: 34)
        #expect(LabelCheck.violations(in: table, tree: .gzDECaLSDR5).isEmpty)
        let tree = DecisionTree.gzDECaLSDR5, q = tree.questions[0]
        let total = q.columns.reduce(Float(0)) { $0 + alpha[$1] }
        for column in q.columns { #expect(abs(answers[column] - alpha[column] / total) < 1e-6) }
    }

    /// Tables of a catalogue-style tree hold within-question fractions on disk and Kaggle-sense values in memory.
    @Test func catalogueTablesConvertFractions() throws {
        let tree = DecisionTree.gzDECaLSDR5
        var within = [Float](repeating: 0, count: 34)
        for q in tree.questions { for (i, c) in q.columns.enumerated() { within[c] = i == 0 ? 0.5 : 0.5 / Float(q.columns.count - 1) } }
        let kaggle = tree.kaggleSense(fromWithinQuestion: within)
        let path = TestSupport.temporaryFolder() + "/fractions.csv"
        try KaggleCSV.write(GalaxyTable(ids: [5], values: kaggle, width: 34), tree: tree, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("GalaxyID,smooth-or-featured_smooth_fraction,"))
        #expect(text.split(separator: "\n")[1].hasPrefix("5,0.5,0.25,0.25,0.5,"))
        let back = try KaggleCSV.read(path, tree: tree).values
        for (a, b) in zip(back, kaggle) { #expect(abs(a - b) < 1e-6) }
        let gz2 = #expect(throws: KaggleDataError.self) { try KaggleCSV.read(path) }
        #expect(gz2?.description.contains("tree gz2") == true)
    }
}
