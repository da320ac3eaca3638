import GalaxyZoo

/// Class-balanced sampling for a classifier (a one-question tree with one-hot labels): each
/// row's class is its likeliest answer, and the rows of each class are repeated so that every
/// class is drawn about as often as the largest — the same expected gradient as weighting each
/// class's loss by its inverse frequency, with no change to the loss.
enum ClassBalance {
    static func rows(_ rows: [Int], labels: GalaxyTable, tree: DecisionTree) -> [Int] {
        let width = tree.outputCount
        var byClass: [Int: [Int]] = [:]
        for r in rows {
            let row = labels.row(r), best = (0..<width).max { row[row.startIndex + $0] < row[row.startIndex + $1] } ?? 0
            byClass[best, default: []].append(r)
        }
        let largest = byClass.values.map(\.count).max() ?? 0
        var balanced: [Int] = []
        for (_, members) in byClass.sorted(by: { $0.key < $1.key }) {
            for k in 0..<largest where members.count > 0 { balanced.append(members[k % members.count]) }
        }
        return balanced.sorted()
    }
}
