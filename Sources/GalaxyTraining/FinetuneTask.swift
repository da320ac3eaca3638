import Foundation
import GalaxyCore
import GalaxyZoo

/// A new question for a trained network, from a labels table: the task becomes a small
/// decision tree (one question per target, its answers the classes), so that the new head is an
/// ordinary output layer, the run an ordinary run folder, and predict, classify, catalogue
/// prediction and embed use it unchanged, their columns named after the target.
///   - binary / multiclass: one target column of class names (text or numbers); the labels are
///     one-hot fractions, and the prediction is each class's probability;
///   - regression: a target column of fractions in [0, 1] (the question "target: yes / no");
///   - votes: target columns of vote counts for the answers of one question (the
///     Dirichlet-multinomial objective, with volunteers' spread).
public struct FinetuneTask: Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case binary, multiclass, regression, votes }

    public let kind: Kind
    public let tree: DecisionTree
    /// Labelled galaxies, their image files, and their labels in the tree's answer order
    /// (fractions; counts for `votes`).
    public let ids: [Int], files: [String], labels: [Float]

    /// Reads `table` (CSV or FITS): `idColumn` (non-negative integers), `targets`, and the image
    /// of each row — `fileColumn` (relative to the table) or `images/<id>.jpg`. `classes` fixes a
    /// classifier's classes (others are refused); otherwise they are the values found, sorted.
    public init(table: String, kind: Kind, targets: [String], idColumn: String, fileColumn: String?, images: String?,
                classes: [String]? = nil) throws {
        func fail(_ reason: String) -> CatalogueError { CatalogueError(file: table, reason: reason) }
        guard !targets.isEmpty else { throw fail("no --target given") }
        if kind != .votes, targets.count != 1 { throw fail("a \(kind.rawValue) task has one target column, not \(targets.count)") }
        if kind == .votes, targets.count < 2 { throw fail("a votes task needs a count column per answer (at least two)") }
        let reader = try CatalogueReader(table)
        let id = try reader.column(idColumn, role: "ID"), file = try fileColumn.map { try reader.column($0, role: "file") }
        let target = try targets.map { try reader.column($0, role: "target") }
        var ids: [Int] = [], files: [String] = [], values: [[String]] = [], seen: [Int: Int] = [:]
        let base = (table as NSString).deletingLastPathComponent
        while case let rows = try reader.next(4096), !rows.isEmpty {
            for row in rows {
                let n = ids.count + 1, text = row[id].exactText
                guard let value = Int(text), value >= 0 else { throw fail("row \(n): the ID \"\(text)\" is not a non-negative integer") }
                if let first = seen.updateValue(n, forKey: value) { throw fail("row \(n): the ID \(value) is also in row \(first)") }
                let path = file.map { row[$0].exactText } ?? "\(images ?? base)/\(value).jpg"
                ids.append(value)
                files.append(path.hasPrefix("/") || file == nil ? path : (base as NSString).appendingPathComponent(path))
                values.append(target.map { row[$0].exactText.trimmingCharacters(in: .whitespaces) })
            }
        }
        guard !ids.isEmpty else { throw fail("no rows") }
        (self.kind, self.ids, self.files) = (kind, ids, files)
        let name = Self.key(kind == .votes ? "votes" : targets[0])
        var questions: [DecisionTree.Definition.Question] = [], labels: [Float] = []
        switch kind {
        case .binary, .multiclass:
            let found = Set(values.map { $0[0] })
            let numeric = found.allSatisfy { Double($0) != nil }
            let classes = classes ?? found.sorted { numeric ? Double($0)! < Double($1)! : $0 < $1 }
            if let unknown = values.firstIndex(where: { !classes.contains($0[0]) }) {
                throw fail("row \(unknown + 1): \"\(values[unknown][0])\" is not one of the classes \(classes.joined(separator: ", "))")
            }
            guard found.count >= 2 else { throw fail("column \(targets[0]) holds only one class (\(found.first ?? "")): a classifier needs examples of at least two") }
            if kind == .binary, classes.count != 2 { throw fail("column \(targets[0]) holds \(classes.count) classes (\(classes.joined(separator: ", "))); use --task multiclass") }
            questions = [Self.question(name, answers: classes)]
            labels = values.flatMap { v in classes.map { $0 == v[0] ? Float(1) : 0 } }
        case .regression:
            // Every question of a tree hangs from the first: several targets are several finetunes.
            questions = [Self.question(name, answers: ["yes", "no"])]
            for (r, v) in values.enumerated() where Float(v[0]).map({ !(0...1).contains($0) }) ?? true {
                throw fail("row \(r + 1): \(targets[0]) = \"\(v[0])\"; a regression target is a fraction in [0, 1] (rescale it)")
            }
            labels = values.flatMap { [Float($0[0])!, 1 - Float($0[0])!] }
        case .votes:
            questions = [Self.question(name, answers: targets)]
            for (r, v) in values.enumerated() {
                guard v.allSatisfy({ Int($0).map { $0 >= 0 } ?? false }) else { throw fail("row \(r + 1): vote counts are non-negative integers, found \(v.joined(separator: ", "))") }
            }
            labels = values.flatMap { $0.map { Float($0)! } }
        }
        tree = try DecisionTree(DecisionTree.Definition(name: "finetune-" + name, summary: "\(kind.rawValue): \(targets.joined(separator: ", ")) from \(table)",
                                                        columns: .catalogue, questions: questions))
        self.labels = labels
    }

    /// A name a decision tree accepts (lower-case letters, digits, '-', '.', '+').
    static func key(_ text: String) -> String {
        let mapped = text.lowercased().map { c -> Character in c.isLetter && c.isASCII || c.isNumber && c.isASCII || ".+-".contains(c) ? c : "-" }
        let key = String(mapped).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return key.first.map { $0.isLetter || $0.isNumber } == true ? key : "c" + key
    }

    static func question(_ name: String, answers: [String]) -> DecisionTree.Definition.Question {
        .init(name: name, text: name, dependsOn: nil, answers: answers.map { .init(name: key($0), text: $0, next: nil) })
    }

    /// Writes the task as a Kaggle-layout dataset in `folder`: the labels (fractions, or
    /// `training_votes.csv` for counts) and `images_training_rev1/` of links to the images
    /// (each checked to exist, named by row).
    public func writeDataset(to folder: String) throws {
        let images = folder + "/" + KaggleDataset.trainingFolder
        // Only a folder this writes (labels, links) is written again: anything else there is someone's.
        let fm = FileManager.default, ours: Set = [KaggleDataset.solutionsFile, VoteCounts.file, KaggleDataset.trainingFolder]
        if let foreign = ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).first(where: { !ours.contains($0) })
            ?? ((try? fm.contentsOfDirectory(atPath: images)) ?? []).first(where: { (try? fm.destinationOfSymbolicLink(atPath: images + "/" + $0)) == nil }) {
            throw CatalogueError(file: folder, reason: "holds \(foreign), which a finetune did not write; move it, or give another --out")
        }
        try FileOutput.createFolder(images)
        for (row, (id, file)) in zip(ids, files).enumerated() {
            guard FileManager.default.fileExists(atPath: file) else { throw CatalogueError(file: file, reason: "no such image (row \(row + 1), ID \(id))") }
            let link = "\(images)/\(id).jpg", target = URL(fileURLWithPath: file).standardizedFileURL.path
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target { continue }
            try? FileManager.default.removeItem(atPath: link)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        }
        if kind == .votes {
            try VoteCounts(ids: ids, counts: labels, tree: tree).write(to: folder + "/" + VoteCounts.file)
        } else {
            try KaggleCSV.write(GalaxyTable(ids: ids, values: labels, width: tree.outputCount), tree: tree, to: folder + "/" + KaggleDataset.solutionsFile)
        }
    }
}
