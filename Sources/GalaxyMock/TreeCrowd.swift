import GalaxyZoo

/// A tree the mock crowd cannot answer (it knows gz2 and the DECaLS questions).
public struct MockTreeError: Error, CustomStringConvertible {
    public let tree: String
    public var description: String {
        "the mock crowd answers gz2 and the GZ DECaLS questions (gz-decals-dr5, gz-desi), not tree \"\(tree)\""
    }
}

extension Crowd {
    /// P(answer | question asked) for each question of `tree`, in its order. The DECaLS questions
    /// are judged by the same volunteer as gz2's (same visibilities and confusions), their answers
    /// regrouped: a bar splits into strong and weak by how clearly it shows, four bulge classes
    /// become five sizes, and "merging" reads the odd-feature judgement (merger, disturbed).
    public static func conditionals(_ m: Morphology, tree: DecisionTree) throws -> [[Float]] {
        try check(tree)
        let gz2 = conditionals(m)
        if tree == .gz2 { return gz2 }
        let barYes = gz2[2][0], strong = smoothstep(0.3, 0.85, barYes)
        let bulge = gz2[4]  // no bulge, just noticeable, obvious, dominant
        let oddYes = gz2[5][0], odd = gz2[7]
        let merger = oddYes * odd[Morphology.OddFeature.merger.rawValue]
        let disturbed = oddYes * odd[Morphology.OddFeature.disturbed.rawValue]
        let byKey: [String: [Float]] = [
            "smooth-or-featured": gz2[0],
            "disk-edge-on": gz2[1],
            "has-spiral-arms": gz2[3],
            "bar": [barYes * strong, barYes * (1 - strong), 1 - barYes],
            "bulge-size": normalised([bulge[3], 0.5 * bulge[2], 0.5 * bulge[2] + 0.3 * bulge[1], 0.7 * bulge[1], bulge[0]]),
            "how-rounded": gz2[6],
            "edge-on-bulge": [gz2[8][1], gz2[8][2], gz2[8][0]],  // gz2: rounded, boxy, none
            "spiral-winding": gz2[9],
            "spiral-arm-count": gz2[10],
            "merging": normalised([max(0.02, 1 - merger - disturbed - 0.05), 0.05 + 0.4 * disturbed, 0.6 * disturbed, merger]),
        ]
        return tree.questions.map { byKey[$0.key]! }
    }

    /// Refuses a tree the crowd cannot answer: gz2, or exactly the DECaLS questions and answers in any order.
    public static func check(_ tree: DecisionTree) throws {
        let decals = DecisionTree.gzDECaLSDR5
        guard tree == .gz2 || (Set(tree.questions.map(\.key)) == Set(decals.questions.map(\.key))
              && tree.questions.allSatisfy { $0.answers.map(\.key) == decals.question(named: $0.key)?.answers.map(\.key) })
        else { throw MockTreeError(tree: tree.name) }
    }
}
