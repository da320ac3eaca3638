import Foundation
import GalaxyCore

/// A decision tree that cannot be used, naming the tree file (or built-in tree) and the question.
public struct DecisionTreeError: Error, CustomStringConvertible, Equatable {
    public let source: String
    public let reason: String
    public init(source: String, reason: String) { self.source = source; self.reason = reason }
    public var description: String { "\(source): \(reason)" }
}

extension DecisionTree {
    /// A tree as written in JSON (the schema is `docs/decision-tree.schema.json`).
    public struct Definition: Codable, Sendable, Hashable {
        public struct Answer: Codable, Sendable, Hashable {
            /// Lower-case key, unique within its question ("featured-or-disk").
            public var name: String
            public var text: String
            /// The question it leads to; absent or null ends the classification.
            public var next: String?
            public init(name: String, text: String, next: String?) { (self.name, self.text, self.next) = (name, text, next) }
        }

        public struct Question: Codable, Sendable, Hashable {
            public var name: String
            public var text: String
            /// "question_answer": the answer whose count bounds this question's volunteers and
            /// whose fraction its answers sum to; absent or null for questions any volunteer may reach.
            public var dependsOn: String?
            public var answers: [Answer]
            public init(name: String, text: String, dependsOn: String?, answers: [Answer]) {
                (self.name, self.text, self.dependsOn, self.answers) = (name, text, dependsOn, answers)
            }
        }

        public var name: String
        public var summary: String
        public var columns: ColumnStyle
        /// In asking order: the first question is where every volunteer starts.
        public var questions: [Question]

        public init(name: String, summary: String, columns: ColumnStyle, questions: [Question]) {
            (self.name, self.summary, self.columns, self.questions) = (name, summary, columns, questions)
        }

        /// Every rule a tree must obey: unique names, known targets, no cycle, every question
        /// reachable from the first, and each question reachable from the answer it depends on.
        func check() throws {
            func fail(_ reason: String) -> DecisionTreeError { DecisionTreeError(source: "decision tree \"\(name)\"", reason: reason) }
            let keyPattern = /[a-z0-9][a-z0-9.+-]*/
            guard !questions.isEmpty else { throw fail("has no questions") }
            var index: [String: Int] = [:]
            for (i, q) in questions.enumerated() {
                guard q.name.wholeMatch(of: keyPattern) != nil else { throw fail("question \"\(q.name)\": a name is lower-case letters, digits, '-', '.' or '+'") }
                guard index.updateValue(i, forKey: q.name) == nil else { throw fail("question \"\(q.name)\" is defined twice") }
                guard q.answers.count >= 2 else { throw fail("question \"\(q.name)\" has \(q.answers.count) answer(s); a question needs at least two") }
                var seen = Set<String>()
                for a in q.answers {
                    guard a.name.wholeMatch(of: keyPattern) != nil else { throw fail("question \"\(q.name)\", answer \"\(a.name)\": a name is lower-case letters, digits, '-', '.' or '+'") }
                    guard seen.insert(a.name).inserted else { throw fail("question \"\(q.name)\" has the answer \"\(a.name)\" twice") }
                }
            }
            for q in questions {
                for a in q.answers {
                    if let next = a.next, index[next] == nil { throw fail("question \"\(q.name)\", answer \"\(a.name)\" leads to \"\(next)\", which is not a question") }
                }
            }
            // No cycle: a depth-first walk never meets a question still on its path.
            var state = [Int](repeating: 0, count: questions.count)  // 0 new, 1 on the path, 2 done
            func walk(_ i: Int) throws {
                state[i] = 1
                for next in questions[i].answers.compactMap(\.next).map({ index[$0]! }) {
                    if state[next] == 1 { throw fail("question \"\(questions[next].name)\" leads back to itself (through \"\(questions[i].name)\")") }
                    if state[next] == 0 { try walk(next) }
                }
                state[i] = 2
            }
            for i in questions.indices where state[i] == 0 { try walk(i) }
            let reachable = reached(from: [0], index: index)
            if let lost = questions.indices.first(where: { !reachable.contains($0) }) {
                throw fail("question \"\(questions[lost].name)\" cannot be reached from the first question, \"\(questions[0].name)\"")
            }
            for (i, q) in questions.enumerated() {
                guard let dependsOn = q.dependsOn else { continue }
                let parts = dependsOn.split(separator: "_", maxSplits: 1).map(String.init)
                guard parts.count == 2, let p = index[parts[0]], let a = questions[p].answers.first(where: { $0.name == parts[1] }) else {
                    throw fail("question \"\(q.name)\" depends on \"\(dependsOn)\", which is not an answer (\"question_answer\")")
                }
                guard let next = a.next, reached(from: [index[next]!], index: index).contains(i) else {
                    throw fail("question \"\(q.name)\" depends on \"\(dependsOn)\", but that answer never leads to it")
                }
            }
        }

        /// Question indices reachable from `start` through answers.
        private func reached(from start: [Int], index: [String: Int]) -> Set<Int> {
            var seen = Set(start), stack = start
            while let i = stack.popLast() {
                for next in questions[i].answers.compactMap(\.next).map({ index[$0]! }) where seen.insert(next).inserted { stack.append(next) }
            }
            return seen
        }
    }

    /// The built-in trees by name.
    public static let builtIn: [DecisionTree] = [gz2, gzDECaLSDR5, gzDESI]

    /// A built-in tree by name, or a tree file (JSON); errors name the file and the problem.
    public static func named(_ nameOrPath: String) throws -> DecisionTree {
        if let tree = builtIn.first(where: { $0.name == nameOrPath }) { return tree }
        guard nameOrPath.hasSuffix(".json") || nameOrPath.contains("/") else {
            throw DecisionTreeError(source: nameOrPath, reason: "not a built-in tree (\(builtIn.map(\.name).joined(separator: ", "))) or a .json tree file")
        }
        guard let data = FileManager.default.contents(atPath: nameOrPath) else {
            throw DecisionTreeError(source: nameOrPath, reason: FileManager.default.fileExists(atPath: nameOrPath) ? "cannot read the file" : "file not found")
        }
        return try read(data, source: nameOrPath)
    }

    /// Decodes and checks a tree; errors name `source`.
    public static func read(_ data: Data, source: String) throws -> DecisionTree {
        let definition: Definition
        do { definition = try JSONDecoder().decode(Definition.self, from: data) } catch {
            throw DecisionTreeError(source: source, reason: "not a decision tree (docs/decision-tree.schema.json): \(Self.describe(error))")
        }
        do { return try DecisionTree(definition) } catch let e as DecisionTreeError {
            throw DecisionTreeError(source: source, reason: e.reason)
        }
    }

    static func describe(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let c)?: return "missing \"\(key.stringValue)\" at \(path(c))"
        case .typeMismatch(_, let c)?, .valueNotFound(_, let c)?: return "\(c.debugDescription) at \(path(c))"
        case .dataCorrupted(let c)?: return c.debugDescription + (c.codingPath.isEmpty ? "" : " at \(path(c))")
        default: return "\(error)"
        }
    }

    private static func path(_ c: DecodingError.Context) -> String {
        c.codingPath.isEmpty ? "the top level" : c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    /// The JSON of the tree, as a tree file holds it.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]  // sorted: the same tree always prints the same bytes
        return String(decoding: try! encoder.encode(definition), as: UTF8.self) + "\n"
    }
}
