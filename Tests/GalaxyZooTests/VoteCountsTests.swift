import Foundation
import Testing
import GalaxyZoo
import TestSupport

/// Vote-count tables: fractions from counts, and every bad input refused by file, line and column.
@Suite("Vote counts")
struct VoteCountsTests {
    static let tree = try! DecisionTree.read(Data(#"""
        {"name": "t", "summary": "", "columns": "catalogue", "questions": [
          {"name": "shape", "text": "", "answers": [{"name": "round", "text": "", "next": "size"}, {"name": "odd", "text": ""}]},
          {"name": "size", "text": "", "dependsOn": "shape_round", "answers": [{"name": "small", "text": ""}, {"name": "large", "text": ""}]}]}
        """#.utf8), source: "t")

    static let header = "GalaxyID,shape_total-votes,shape_round,shape_odd,size_total-votes,size_small,size_large"

    func write(_ text: String) -> String {
        let path = TestSupport.temporaryFolder() + "/votes.csv"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test func fractionsFollowTheTreeAndUnaskedQuestionsAreZero() throws {
        let path = write(Self.header + ",ra\n7,10,8,2,8,2,6,150.1\n3,5,0,5,0,0,0,10.5\n")
        let votes = try VoteCounts.read(path, tree: Self.tree)
        #expect(votes.ids == [7, 3] && votes.lines == [2, 3])
        #expect(votes.fractions.values == [0.8, 0.2, 0.2, 0.6, 0, 1, 0, 0])
        #expect(votes.total(1, Self.tree.questions[1]) == 0)
        // Written and read back unchanged (ascending IDs).
        let again = TestSupport.temporaryFolder() + "/again.csv"
        try votes.write(to: again)
        #expect(try VoteCounts.read(again, tree: Self.tree) == VoteCounts(ids: [3, 7], counts: [0, 5, 0, 0, 8, 2, 2, 6], lines: [2, 3], tree: Self.tree))
        // The within-question fractions the catalogues publish, and back.
        #expect(Self.tree.withinQuestion(votes.fractions.row(0)) == [0.8, 0.2, 0.25, 0.75])
        #expect(Self.tree.kaggleSense(fromWithinQuestion: [0.8, 0.2, 0.25, 0.75]) == [0.8, 0.2, 0.2, 0.6])
    }

    @Test(arguments: [
        (header + "\n1,10,8,2,9,3,6\n", 2, "column size_total-votes is 9, more than the 8 votes for shape_round that lead to it"),
        (header + "\n1,10,8,2,8,2,6\n1,1,1,0,0,0,0\n", 3, "duplicate GalaxyID 1 (first on line 2)"),
        (header + "\n1,10,8,-2,8,2,6\n", 2, "column shape_odd is -2, a negative count"),
        (header + "\n1,10,8,2.5,8,2,6\n", 2, "column shape_odd is \"2.5\", not a whole number of votes"),
        (header + "\n1,11,8,2,8,2,6\n", 2, "column shape_total-votes is 11, but its answers sum to 10"),
        (header + "\n1,10,8,2,8,2\n", 2, "6 fields, the header has 7"),
        ("GalaxyID,shape_total-votes,shape_round,shape_odd,size_total-votes,size_small\n", 1, "missing column size_large (tree t)"),
        (header + ",size_huge\n", 1, "column size_huge: \"huge\" is not an answer of size in tree t (its answers: small, large)"),
    ])
    func badTablesAreRefusedByLineAndColumn(text: String, line: Int, reason: String) {
        let path = write(text)
        let error = #expect(throws: KaggleDataError.self) { try VoteCounts.read(path, tree: Self.tree) }
        #expect(error?.description == "\(path):\(line): \(reason)")
    }
}
