import ArgumentParser
import Foundation
import GalaxyZoo

/// `galaxynet tree`.
struct TreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tree",
        abstract: "Show a decision tree (built in, or a tree file checked as training would check it): its questions, answers and columns, or its JSON.")

    @Argument(help: "gz2, gz-decals-dr5, gz-desi, or a tree file (.json).") var name = "gz2"
    @Flag(help: "Print the tree as a tree file (JSON, docs/decision-tree.schema.json), e.g. to start a new one from it.") var show = false

    func run() throws {
        let tree = try DecisionTree.named(name)
        if show { return print(tree.json, terminator: "") }
        print("\(tree.name): \(tree.summary)")
        print("\(tree.questions.count) questions, \(tree.outputCount) answers; columns \(tree.columnStyle.rawValue) (\(tree.columnNames.first!) …)")
        for q in tree.questions {
            print("\n\(q.number). \(q.key): \(q.text)" + (q.parent.map { "  [asked after \($0.name)]" } ?? ""))
            for a in q.answers {
                let next: String
                switch a.next {
                case .question(let n): next = "→ \(tree.questions[n - 1].key)"
                case .end: next = "→ end"
                }
                print("   \(a.columnName.padding(toLength: 44, withPad: " ", startingAt: 0)) \(a.text) \(next)")
            }
        }
    }
}
