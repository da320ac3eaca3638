import Foundation
import Testing
import GalaxyZoo
import GalaxyNetwork
import GalaxyTraining
import TestSupport

/// A labels table becomes a one-question tree and its labels.
@Suite("Finetuning tasks")
struct FinetuneTaskTests {
    func table(_ text: String) throws -> String {
        let path = TestSupport.temporaryFolder("finetune") + "/labels.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func classesBecomeAnswersAndLabelsOneHot() throws {
        let path = try table("id,morphology\n3,Ring galaxy\n1,lens\n2,Ring galaxy\n4,merger\n")
        let task = try FinetuneTask(table: path, kind: .multiclass, targets: ["morphology"], idColumn: "id", fileColumn: nil, images: "/img")
        #expect(task.tree.columnNames == ["morphology_ring-galaxy_fraction", "morphology_lens_fraction", "morphology_merger_fraction"])
        #expect(task.ids == [3, 1, 2, 4] && task.files[0] == "/img/3.jpg")
        #expect(task.labels == [1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1])
        // Numbers sort as numbers; two classes make a binary task, three do not.
        let numeric = try FinetuneTask(table: try table("id,bar\n1,10\n2,9\n"), kind: .binary, targets: ["bar"], idColumn: "id", fileColumn: nil, images: nil)
        #expect(numeric.tree.columnNames == ["bar_9_fraction", "bar_10_fraction"])
        #expect(throws: CatalogueError.self) { try FinetuneTask(table: path, kind: .binary, targets: ["morphology"], idColumn: "id", fileColumn: nil, images: nil) }
    }

    @Test func regressionAndVotesAndTheirRefusals() throws {
        let fractions = try FinetuneTask(table: try table("id,ring\n1,0.25\n2,1\n"), kind: .regression, targets: ["ring"],
                                         idColumn: "id", fileColumn: nil, images: nil)
        #expect(fractions.tree.columnNames == ["ring_yes_fraction", "ring_no_fraction"] && fractions.labels == [0.25, 0.75, 1, 0])
        let votes = try FinetuneTask(table: try table("id,yes,no\n1,3,7\n2,0,12\n"), kind: .votes, targets: ["yes", "no"], idColumn: "id", fileColumn: nil, images: nil)
        #expect(votes.labels == [3, 7, 0, 12] && votes.tree.answers.map(\.countColumnName) == ["votes_yes", "votes_no"])
        func refusal(_ text: String, _ kind: FinetuneTask.Kind, _ targets: [String]) -> String {
            do { _ = try FinetuneTask(table: try table(text), kind: kind, targets: targets, idColumn: "id", fileColumn: nil, images: nil); return "accepted" } catch { return "\(error)" }
        }
        #expect(refusal("id,ring,bar\n1,1,0\n", .regression, ["ring", "bar"]).contains("a regression task has one target column"))
        #expect(refusal("id,ring\n1,1.5\n", .regression, ["ring"]).contains("row 1: ring = \"1.5\"; a regression target is a fraction in [0, 1]"))
        #expect(refusal("id,yes,no\n1,3,x\n", .votes, ["yes", "no"]).contains("row 1: vote counts are non-negative integers"))
        #expect(refusal("id,bar\n1,1\n1,0\n", .binary, ["bar"]).contains("row 2: the ID 1 is also in row 1"))
        #expect(refusal("id,bar\n-4,1\n", .binary, ["bar"]).contains("row 1: the ID \"-4\" is not a non-negative integer"))
        #expect(refusal("id,bar\n1,1\n2,1\n", .binary, ["bar"]).contains("holds only one class (1)"))
    }

    @Test func blocksAreFrozenFromTheBottomAndSlowedPerBlock() throws {
        let c = try ModelConfiguration.named("small")
        #expect(Finetuning.blocks(of: c).map(\.name) == ["conv1", "conv2", "conv3", "conv4", "dense1"])
        let scales = Finetuning.layerScales(c, unfreeze: 2, layerDecay: 0.5)
        #expect(scales == ["output": 1, "dense.0": 0.5, "conv.3": 0.25, "conv.2": 0, "conv.1": 0, "conv.0": 0])
        #expect(Finetuning.trained(c, scales: scales) == ["conv4", "dense1", "output"])
    }
}
