import Foundation
import Testing
import GalaxyZoo
import TestSupport

@Suite("Decision trees as data")
struct TreeDefinitionTests {
    @Test func builtInTreesHaveThePublishedShape() throws {
        #expect(DecisionTree.gz2.scalingOrder == [2, 3, 4, 5, 7, 8, 9, 10, 11])
        let dr5 = try DecisionTree.named("gz-decals-dr5")
        #expect(dr5.questions.count == 10 && dr5.outputCount == 34)
        #expect(dr5.answers.first?.columnName == "smooth-or-featured_smooth_fraction")
        #expect(dr5.answers.first?.countColumnName == "smooth-or-featured_smooth")
        #expect(dr5.questions[0].totalColumnName == "smooth-or-featured_total-votes")
        #expect(dr5.question(named: "spiral-winding")?.parent?.name == "has-spiral-arms_yes")
        #expect(dr5.question(named: "merging")?.parent == nil)
        // Every question comes after those that lead to it, and parents are scaled first.
        for (i, n) in dr5.walkOrder.enumerated() {
            for earlier in dr5.walkOrder[(i + 1)...] { #expect(!dr5.questions[earlier - 1].answers.contains { $0.next == .question(n) }) }
        }
        #expect(try DecisionTree.named("gz-desi").columnNames == dr5.columnNames)
    }

    @Test func jsonRoundTripsEveryBuiltInTree() throws {
        for tree in DecisionTree.builtIn {
            let again = try DecisionTree.read(Data(tree.json.utf8), source: tree.name)
            #expect(again == tree)
        }
    }

    @Test func aTreeFileLoadsAndModelConfigurationsRecordIt() throws {
        let folder = TestSupport.temporaryFolder()
        let path = folder + "/rings.json"
        try Data(#"{"name": "rings", "summary": "one question", "columns": "catalogue", "questions": [{"name": "ring", "text": "Is there a ring?", "answers": [{"name": "yes", "text": "yes"}, {"name": "no", "text": "no"}]}]}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let tree = try DecisionTree.named(path)
        #expect(tree.outputCount == 2 && tree.columnNames == ["ring_yes_fraction", "ring_no_fraction"])
        #expect(tree.describePath([0.3, 0.7]) == "no 0.70")
    }

    /// Each broken tree is refused with a message naming the question at fault.
    @Test(arguments: [
        (#"{"name": "t", "summary": "", "columns": "catalogue", "questions": [{"name": "a", "text": "", "answers": [{"name": "x", "text": "", "next": "b"}, {"name": "y", "text": ""}]}, {"name": "b", "text": "", "answers": [{"name": "x", "text": "", "next": "a"}, {"name": "y", "text": ""}]}]}"#,
         "question \"a\" leads back to itself (through \"b\")"),
        (#"{"name": "t", "summary": "", "columns": "catalogue", "questions": [{"name": "a", "text": "", "answers": [{"name": "x", "text": ""}, {"name": "y", "text": ""}]}, {"name": "b", "text": "", "answers": [{"name": "x", "text": ""}, {"name": "y", "text": ""}]}]}"#,
         "question \"b\" cannot be reached from the first question, \"a\""),
        (#"{"name": "t", "summary": "", "columns": "catalogue", "questions": [{"name": "a", "text": "", "answers": [{"name": "x", "text": ""}, {"name": "y", "text": ""}]}, {"name": "a", "text": "", "answers": [{"name": "x", "text": ""}, {"name": "y", "text": ""}]}]}"#,
         "question \"a\" is defined twice"),
        (#"{"name": "t", "summary": "", "columns": "catalogue", "questions": [{"name": "a", "text": "", "answers": [{"name": "x", "text": "", "next": "zz"}, {"name": "y", "text": ""}]}]}"#,
         "question \"a\", answer \"x\" leads to \"zz\", which is not a question"),
        (#"{"name": "t", "summary": "", "columns": "catalogue", "questions": [{"name": "a", "text": "", "answers": [{"name": "x", "text": ""}, {"name": "x", "text": ""}]}]}"#,
         "question \"a\" has the answer \"x\" twice"),
        (#"{"name": "t", "summary": "", "columns": "catalogue", "questions": [{"name": "a", "text": "", "answers": [{"name": "x", "text": "", "next": "b"}, {"name": "y", "text": ""}]}, {"name": "b", "text": "", "dependsOn": "a_y", "answers": [{"name": "x", "text": ""}, {"name": "y", "text": ""}]}]}"#,
         "question \"b\" depends on \"a_y\", but that answer never leads to it"),
        (#"{"name": "t", "summary": "", "columns": "catalogue", "questions": [{"name": "a", "text": "", "answers": [{"name": "x", "text": "", "next": "b"}, {"name": "y", "text": ""}]}, {"name": "b", "text": "", "dependsOn": "a_q", "answers": [{"name": "x", "text": ""}, {"name": "y", "text": ""}]}]}"#,
         "question \"b\" depends on \"a_q\", which is not an answer"),
        (#"{"name": "t", "summary": "", "columns": "catalogue", "questions": [{"name": "A b", "text": "", "answers": [{"name": "x", "text": ""}, {"name": "y", "text": ""}]}]}"#,
         "question \"A b\": a name is lower-case"),
        (#"{"name": "t", "summary": "", "columns": "catalogue", "questions": [{"name": "a", "text": "", "answers": [{"name": "x", "text": ""}]}]}"#,
         "question \"a\" has 1 answer(s)"),
        (#"{"name": "t", "summary": "", "columns": "catalogue", "questions": [{"name": "a", "answers": []}]}"#,
         "missing \"text\" at .questions[0]"),
    ])
    func brokenTreesAreRefusedByName(json: String, expected: String) throws {
        let error = #expect(throws: DecisionTreeError.self) { try DecisionTree.read(Data(json.utf8), source: "tree.json") }
        #expect(error?.description.hasPrefix("tree.json: ") == true)
        #expect(error?.description.contains(expected) == true, "\(error.map { "\($0)" } ?? "")")
    }

    @Test func unknownNamesAndMissingFilesAreRefused() {
        let unknown = #expect(throws: DecisionTreeError.self) { try DecisionTree.named("gz3") }
        #expect(unknown?.description.contains("not a built-in tree (gz2, gz-decals-dr5, gz-desi)") == true)
        let missing = #expect(throws: DecisionTreeError.self) { try DecisionTree.named("/nonexistent/tree.json") }
        #expect(missing?.description == "/nonexistent/tree.json: file not found")
    }
}
