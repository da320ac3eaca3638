import Foundation
import Testing
import GalaxyZoo
import TestSupport

@Suite("Decision tree")
struct DecisionTreeTests {
    @Test func slicesAndColumnNames() {
        let slices = DecisionTree.gz2.questions.map(\.columns)
        #expect(slices == [0..<3, 3..<5, 5..<7, 7..<9, 9..<13, 13..<15, 15..<18, 18..<25, 25..<28, 28..<31, 31..<37])
        #expect(DecisionTree.gz2.outputCount == 37)
        #expect(DecisionTree.gz2.columnNames.first == "Class1.1" && DecisionTree.gz2.columnNames.last == "Class11.6")
        #expect(DecisionTree.gz2.answer(8, 7).text == "dust lane")
    }

    @Test func massesAndLinks() {
        let parents = DecisionTree.gz2.questions.map { $0.parent?.name }
        #expect(parents == [nil, "1.2", "2.2", "2.2", "2.2", nil, "1.1", "6.1", "2.1", "4.1", "4.1"])
        #expect(DecisionTree.gz2.answer(1, 1).next == .question(7))
        #expect(DecisionTree.gz2.answer(1, 3).next == .end)
        #expect(DecisionTree.gz2.answer(4, 1).next == .question(10))
        #expect(DecisionTree.gz2.answer(11, 6).next == .question(5))
    }
}

@Suite("Metrics and baselines")
struct MetricsTests {
    @Test func knownArrays() {
        var truth = [Float](repeating: 0, count: 74), prediction = truth
        prediction[0] = 1         // row 0, column 0 (Q1)
        prediction[37 + 36] = 0.5 // row 1, column 36 (Q11)
        let e = Evaluation(predictions: prediction, truth: truth, tree: .gz2)
        #expect(abs(e.rmse - (1.25 / 74).squareRoot()) < 1e-9)
        #expect(abs(e.perAnswer[0] - (0.5).squareRoot()) < 1e-9)
        #expect(abs(e.perQuestion[0] - (1.0 / 6).squareRoot()) < 1e-9)
        #expect(abs(e.perQuestion[10] - (0.25 / 12).squareRoot()) < 1e-9)
        #expect(e.perQuestion[4] == 0)
        truth[5] = 1
        let baselines = Baselines(training: GalaxyTable(ids: [1, 2], values: truth))
        #expect(baselines.trainingMean[5] == 0.5 && baselines.trainingMean[0] == 0)
    }
}
