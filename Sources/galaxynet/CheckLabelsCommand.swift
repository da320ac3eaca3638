import ArgumentParser
import Foundation
import GalaxyZoo

/// `galaxynet check-labels FILE`: the decision-tree sums of every row.
struct CheckLabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-labels",
        abstract: "Report every row and question whose answers miss the mass the decision tree requires (by more than 1e-5).")

    @Argument(help: "A solutions CSV in the Kaggle format (GalaxyID, then the tree's answer columns).") var file: String
    @OptionGroup var decisionTree: TreeOptions

    func run() throws {
        let tree = try decisionTree.tree
        let table = try KaggleCSV.read(file, tree: tree)
        let violations = LabelCheck.violations(in: table, tree: tree)
        for v in violations {
            let place = v.line.map { "\(file):\($0)" } ?? file
            print("\(place): GalaxyID \(v.galaxyID) question \(v.question) sums to \(v.sum), required \(v.required)")
        }
        var counts = [Int](repeating: 0, count: tree.questions.count)
        for v in violations { counts[v.question - 1] += 1 }
        print("\(table.count) rows checked; violations per question:")
        for q in tree.questions { print("  Q\(q.number): \(counts[q.number - 1])") }
        if violations.isEmpty {
            print("all rows obey the decision tree")
        } else {
            print("\(violations.count) violations in \(Set(violations.map(\.galaxyID)).count) rows")
            throw ExitCode(1)
        }
    }
}
