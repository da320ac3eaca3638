import Foundation
import GalaxyCore
import GalaxyZoo

/// The simulated Galaxy Zoo crowd.
///
/// For a galaxy of known morphology it gives, per question, the probability of each answer — a
/// volunteer's judgement with confusion that grows as a feature gets fainter or smaller — then
/// either the exact expected vote fractions (the truth a model should learn) or the fractions of
/// a sampled crowd of ~40 volunteers walking the tree (the noisy labels, like Kaggle's).
/// Fractions are weighted as in the Kaggle solutions: each answer's value is the share of all
/// volunteers who gave it, so each question's answers sum to the share that reached it. As in the
/// Kaggle data, Q6 is also asked after "star or artifact" (its answers sum to 1).
public enum Crowd {
    /// How clearly a feature of `strength` shows on a galaxy of this size and brightness (0…1).
    static func visibility(_ strength: Float, _ m: Morphology, scale: Float = 8) -> Float {
        let signal = strength * m.brightness * min(2, m.halfLightRadius / 30)
        return 1 - exp(-signal / scale)
    }

    static func smoothstep(_ edge0: Float, _ edge1: Float, _ x: Float) -> Float {
        let t = min(1, max(0, (x - edge0) / (edge1 - edge0)))
        return t * t * (3 - 2 * t)
    }

    static func sigmoid(_ x: Float) -> Float { 1 / (1 + exp(-x)) }

    /// Gaussian confusion around the true ordinal class.
    static func ordinal(_ truth: Int, classes: Int, spread: Float) -> [Float] {
        (0..<classes).map { j in exp(-Float((j - truth) * (j - truth)) / (2 * spread * spread)) }
    }

    static func normalised(_ p: [Float]) -> [Float] {
        let total = p.reduce(0, +)
        return p.map { $0 / total }
    }

    /// P(answer | question asked) for each of the 11 questions.
    public static func conditionals(_ m: Morphology) -> [[Float]] {
        let sizeVisibility = visibility(1, m, scale: 3)
        let faceOn = smoothstep(0.15, 0.4, m.axisRatio)
        let spiralVisibility = m.spiral ? visibility(m.armStrength, m, scale: 2) * faceOn : 0
        let barVisibility = m.bar ? visibility(m.barStrength, m, scale: 2.5) * faceOn : 0
        let oddVisibility = m.oddFeature == nil ? 0 : visibility(m.oddStrength, m, scale: 4)
        let edgeness = m.kind == .disk ? smoothstep(0.45, 0.15, m.axisRatio) : 0

        var q = [[Float]](repeating: [], count: 11)
        switch m.kind {
        case .smooth:
            let featured = 0.06 + 0.45 * oddVisibility * (m.oddFeature == .ring || m.oddFeature == .lensOrArc ? 0.3 : 1)
            q[0] = [1 - featured - 0.01, featured, 0.01]
        case .disk:
            let diskVisibility = max(spiralVisibility, barVisibility, edgeness * sizeVisibility,
                                     sizeVisibility * (1 - Float(m.bulgeClass) / 4) * 0.6)
            let featured = 0.08 + 0.84 * diskVisibility
            q[0] = [1 - featured - 0.01, featured, 0.01]
        case .star: q[0] = [0.07, 0.04, 0.89]
        case .artifact: q[0] = [0.12, 0.16, 0.72]
        }
        let elongated: Float = m.kind == .smooth ? 0.25 * smoothstep(0.45, 0.25, m.axisRatio) : 0.05
        let edgeOnYes = m.kind == .disk ? 0.04 + 0.9 * edgeness * (0.4 + 0.6 * sizeVisibility) : elongated
        q[1] = [edgeOnYes, 1 - edgeOnYes]
        let barYes = 0.05 + 0.85 * barVisibility
        q[2] = [barYes, 1 - barYes]
        let spiralYes = 0.06 + 0.88 * spiralVisibility
        q[3] = [spiralYes, 1 - spiralYes]
        let bulgeTruth = m.kind == .disk ? m.bulgeClass : (m.kind == .smooth ? 3 : 1)
        q[4] = normalised(ordinal(bulgeTruth, classes: 4, spread: 0.45 + 0.9 * (1 - sizeVisibility)))
        let oddYes = 0.07 + 0.83 * oddVisibility
        q[5] = [oddYes, 1 - oddYes]
        // Roundness from the apparent axis ratio (a bulge makes an inclined disk look rounder).
        let apparent = m.kind == .disk ? m.axisRatio + (1 - m.axisRatio) * Float(m.bulgeClass) * 0.15 : m.axisRatio
        let round = sigmoid((apparent - 0.78) / 0.06), cigar = sigmoid((0.42 - apparent) / 0.06)
        q[6] = normalised([round, max(0.05, 1 - round - cigar), cigar])
        var odd = [Float](repeating: 0.04, count: 7)
        odd[Morphology.OddFeature.other.rawValue] = 0.12
        if let feature = m.oddFeature { odd[feature.rawValue] += 0.45 + 0.45 * oddVisibility }
        q[7] = normalised(odd)
        var edgeBulge: [Float] = [0.15, 0.1, 0.15]
        edgeBulge[m.edgeOnBulge.rawValue] += 0.4 + 0.4 * sizeVisibility
        q[8] = normalised(edgeBulge)
        q[9] = normalised(ordinal(m.tightness, classes: 3, spread: 0.45 + 0.7 * (1 - spiralVisibility)))
        var arms = ordinal(min(m.armCount, 5) - 1, classes: 5, spread: 0.4 + 0.8 * (1 - spiralVisibility))
        arms = arms.map { $0 * (0.35 + 0.45 * spiralVisibility) }
        // "Can't tell" grows as the arms fade, and wins for many-armed (flocculent) spirals.
        q[10] = normalised(arms + [0.08 + 0.45 * (1 - spiralVisibility) + (m.armCount >= 6 ? 0.9 : 0)])
        return q
    }

    /// The next question after an answer, as the crowd walks it (in gz2, 1.3 leads to Q6, as in the data).
    static func next(after answer: DecisionTree.Answer, in tree: DecisionTree) -> Int? {
        if tree == .gz2 && answer.question == 1 && answer.number == 3 { return 6 }
        if case .question(let n) = answer.next { return n }
        return nil
    }

    /// Questions in an order where each comes after every question that leads to it (gz2's
    /// order kept as first written, so its mock fractions stay bit-identical).
    static func walkOrder(_ tree: DecisionTree) -> [Int] { tree == .gz2 ? [1, 2, 7, 9, 3, 4, 10, 11, 5, 6, 8] : tree.walkOrder }

    /// Exact expected vote fractions (the crowd's answer with infinitely many volunteers). For
    /// gz2 the share of all volunteers reaching each answer; for other trees, as their labels are
    /// normalised (`VoteCounts.fractions`), each question's probabilities times the value of the
    /// answer it depends on (a question asked of everyone who got that far sums to 1).
    public static func expectedFractions(_ conditionals: [[Float]], tree: DecisionTree = .gz2) -> [Float] {
        guard tree == .gz2 else { return tree.kaggleSense(fromWithinQuestion: conditionals.flatMap { $0 }) }
        var reach = [Float](repeating: 0, count: tree.questions.count + 1)
        reach[1] = 1
        var values = [Float](repeating: 0, count: tree.outputCount)
        for number in walkOrder(tree) {
            let question = tree.questions[number - 1]
            for (i, answer) in question.answers.enumerated() {
                values[answer.column] = reach[number] * conditionals[number - 1][i]
                if let n = next(after: answer, in: tree) { reach[n] += values[answer.column] }
            }
        }
        return values
    }

    /// Vote counts per answer of `volunteers` volunteers each walking the tree.
    public static func sampledCounts(_ conditionals: [[Float]], volunteers: Int, tree: DecisionTree = .gz2,
                                     generator g: inout SeededGenerator) -> [Int] {
        var counts = [Int](repeating: 0, count: tree.outputCount)
        for _ in 0..<volunteers {
            var question: Int? = 1
            while let number = question {
                let p = conditionals[number - 1]
                var u = g.nextUniform(), choice = p.count - 1
                for (i, pi) in p.enumerated() { if u < pi { choice = i; break }; u -= pi }
                let answer = tree.questions[number - 1].answers[choice]
                counts[answer.column] += 1
                question = next(after: answer, in: tree)
            }
        }
        return counts
    }

    /// Vote fractions of `volunteers` volunteers each walking the gz2 tree (each count over all volunteers).
    public static func sampledFractions(_ conditionals: [[Float]], volunteers: Int, generator g: inout SeededGenerator) -> [Float] {
        shareOfAll(sampledCounts(conditionals, volunteers: volunteers, generator: &g), volunteers: volunteers)
    }

    /// gz2's fractions as in the Kaggle data: each answer's count over all volunteers.
    static func shareOfAll(_ counts: [Int], volunteers: Int) -> [Float] { counts.map { Float($0) / Float(volunteers) } }
}
