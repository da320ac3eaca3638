/// The built-in decision trees, written as the same definitions a tree file holds
/// (`galaxynet tree --show NAME` prints each as JSON).
extension DecisionTree {
    private typealias Q = Definition.Question
    private typealias A = Definition.Answer

    private static func question(_ name: String, _ text: String, dependsOn: String? = nil, _ answers: [(String, String, String?)]) -> Q {
        Q(name: name, text: text, dependsOn: dependsOn, answers: answers.map { A(name: $0.0, text: $0.1, next: $0.2) })
    }

    private static func build(_ definition: Definition) -> DecisionTree {
        do { return try DecisionTree(definition) } catch { preconditionFailure("built-in tree \(definition.name): \(error)") }
    }

    /// The Galaxy Zoo 2 tree as used by the Kaggle challenge: 11 questions, 37 answers, columns
    /// "Class1.1" … "Class11.6". Q6 ("anything odd") is asked of every galaxy, so its answers sum to 1.
    public static let gz2 = build(Definition(
        name: "gz2", summary: "Galaxy Zoo 2 as in the Kaggle Galaxy Challenge (Willett et al. 2013): 11 questions, 37 answers",
        columns: .kaggle, questions: [
            question("smooth-or-featured", "Is the galaxy simply smooth and rounded, with no sign of a disk?",
                     [("smooth", "smooth", "how-rounded"), ("featured-or-disk", "features or disk", "disk-edge-on"), ("star-or-artifact", "star or artifact", nil)]),
            question("disk-edge-on", "Could this be a disk viewed edge-on?", dependsOn: "smooth-or-featured_featured-or-disk",
                     [("yes", "yes", "bulge-shape"), ("no", "no", "bar")]),
            question("bar", "Is there a sign of a bar feature through the centre of the galaxy?", dependsOn: "disk-edge-on_no",
                     [("yes", "yes", "has-spiral-arms"), ("no", "no", "has-spiral-arms")]),
            question("has-spiral-arms", "Is there any sign of a spiral arm pattern?", dependsOn: "disk-edge-on_no",
                     [("yes", "yes", "spiral-winding"), ("no", "no", "bulge-size")]),
            question("bulge-size", "How prominent is the central bulge, compared with the rest of the galaxy?", dependsOn: "disk-edge-on_no",
                     [("no-bulge", "no bulge", "something-odd"), ("just-noticeable", "just noticeable", "something-odd"),
                      ("obvious", "obvious", "something-odd"), ("dominant", "dominant", "something-odd")]),
            question("something-odd", "Is there anything odd?", [("yes", "yes", "odd-feature"), ("no", "no", nil)]),
            question("how-rounded", "How rounded is it?", dependsOn: "smooth-or-featured_smooth",
                     [("completely-round", "completely round", "something-odd"), ("in-between", "in between", "something-odd"),
                      ("cigar-shaped", "cigar-shaped", "something-odd")]),
            question("odd-feature", "Is the odd feature a ring, or is the galaxy disturbed or irregular?", dependsOn: "something-odd_yes",
                     [("ring", "ring", nil), ("lens-or-arc", "lens or arc", nil), ("disturbed", "disturbed", nil), ("irregular", "irregular", nil),
                      ("other", "other", nil), ("merger", "merger", nil), ("dust-lane", "dust lane", nil)]),
            question("bulge-shape", "Does the galaxy have a bulge at its centre? If so, what shape?", dependsOn: "disk-edge-on_yes",
                     [("rounded", "rounded", "something-odd"), ("boxy", "boxy", "something-odd"), ("no-bulge", "no bulge", "something-odd")]),
            question("spiral-winding", "How tightly wound do the spiral arms appear?", dependsOn: "has-spiral-arms_yes",
                     [("tight", "tight", "spiral-arm-count"), ("medium", "medium", "spiral-arm-count"), ("loose", "loose", "spiral-arm-count")]),
            question("spiral-arm-count", "How many spiral arms are there?", dependsOn: "has-spiral-arms_yes",
                     [("1", "1", "bulge-size"), ("2", "2", "bulge-size"), ("3", "3", "bulge-size"), ("4", "4", "bulge-size"),
                      ("more-than-4", "more than four", "bulge-size"), ("cant-tell", "can't tell", "bulge-size")]),
        ]))

    /// The GZ DECaLS tree of DR5 onwards (Walmsley et al. 2022, MNRAS 509, 3966): 10 questions,
    /// 34 answers, in the published catalogues' order and names. "merging" is reached from every
    /// branch but "artifact" and, as in Zoobot, depends on no single answer.
    private static func decalsQuestions() -> [Q] {
        [question("smooth-or-featured", "Is the galaxy simply smooth and rounded, with no sign of a disk?",
                  [("smooth", "smooth", "how-rounded"), ("featured-or-disk", "features or disk", "disk-edge-on"),
                   ("artifact", "star, artifact or bad zoom", nil)]),
         question("disk-edge-on", "Could this be a disk viewed edge-on?", dependsOn: "smooth-or-featured_featured-or-disk",
                  [("yes", "yes", "edge-on-bulge"), ("no", "no", "bar")]),
         question("has-spiral-arms", "Is there any sign of a spiral arm pattern?", dependsOn: "disk-edge-on_no",
                  [("yes", "yes", "spiral-winding"), ("no", "no", "bulge-size")]),
         question("bar", "Is there a bar feature through the centre of the galaxy?", dependsOn: "disk-edge-on_no",
                  [("strong", "strong bar", "has-spiral-arms"), ("weak", "weak bar", "has-spiral-arms"), ("no", "no bar", "has-spiral-arms")]),
         question("bulge-size", "How prominent is the central bulge, compared with the rest of the galaxy?", dependsOn: "disk-edge-on_no",
                  [("dominant", "dominant", "merging"), ("large", "large", "merging"), ("moderate", "moderate", "merging"),
                   ("small", "small", "merging"), ("none", "no bulge", "merging")]),
         question("how-rounded", "How rounded is it?", dependsOn: "smooth-or-featured_smooth",
                  [("round", "round", "merging"), ("in-between", "in between", "merging"), ("cigar-shaped", "cigar-shaped", "merging")]),
         question("edge-on-bulge", "Does the galaxy have a bulge at its centre? If so, what shape?", dependsOn: "disk-edge-on_yes",
                  [("boxy", "boxy", "merging"), ("none", "no bulge", "merging"), ("rounded", "rounded", "merging")]),
         question("spiral-winding", "How tightly wound do the spiral arms appear?", dependsOn: "has-spiral-arms_yes",
                  [("tight", "tight", "spiral-arm-count"), ("medium", "medium", "spiral-arm-count"), ("loose", "loose", "spiral-arm-count")]),
         question("spiral-arm-count", "How many spiral arms are there?", dependsOn: "has-spiral-arms_yes",
                  [("1", "1", "bulge-size"), ("2", "2", "bulge-size"), ("3", "3", "bulge-size"), ("4", "4", "bulge-size"),
                   ("more-than-4", "more than four", "bulge-size"), ("cant-tell", "can't tell", "bulge-size")]),
         question("merging", "Is the galaxy currently merging, or is there any sign of tidal debris?",
                  [("none", "none", nil), ("minor-disturbance", "minor disturbance", nil), ("major-disturbance", "major disturbance", nil),
                   ("merger", "merging", nil)]),
        ]
    }

    /// GZ DECaLS, DR5 campaign.
    public static let gzDECaLSDR5 = build(Definition(
        name: "gz-decals-dr5", summary: "Galaxy Zoo DECaLS, DR5 tree (Walmsley et al. 2022): 10 questions, 34 answers",
        columns: .catalogue, questions: decalsQuestions()))

    /// GZ DECaLS DR8 and GZ DESI (Walmsley et al. 2023): the DR5 questions, asked again of DR8 images.
    public static let gzDESI = build(Definition(
        name: "gz-desi", summary: "Galaxy Zoo DESI / DECaLS DR8 tree (Walmsley et al. 2023): the DR5 questions, 10 questions, 34 answers",
        columns: .catalogue, questions: decalsQuestions()))
}
