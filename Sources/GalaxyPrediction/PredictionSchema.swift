import GalaxyZoo
import GalaxySimilarity

/// Which columns a catalogue output holds, mirroring GZ DESI's two files.
public enum CatalogueColumns: String, Sendable, Codable, CaseIterable {
    /// Fractions, their spread over the views, the likeliest path; for a model of vote counts
    /// also each answer's 90 % interval and each question's proportion asked.
    case friendly
    /// Everything: also the mean concentrations and, given a number of volunteers, expected votes.
    case advanced
}

/// The columns a prediction fills in every table GalaxyNet writes, described once for the
/// model's tree: each answer (float32), each answer's spread over the test-time views, their RMS
/// (`tta_spread`), and the likeliest walk down the decision tree (text). A model of vote counts
/// adds, per answer, the 90 % credible interval of its within-question fraction (`_lower`,
/// `_upper`) and the mean concentration, and per question the proportion of volunteers who would
/// be asked it; with `volunteers` N, expected votes N × proportion asked × fraction. CSV, FITS and
/// .npy writers all render these typed cells; the numbers of a row are one float32 block (always
/// every number, whatever `columns` shows), which is how bulk parts store them.
public struct PredictionSchema: Sendable {
    public let tree: DecisionTree
    /// Whether predictions carry concentrations.
    public let votes: Bool
    public var columnsShown: CatalogueColumns
    public var volunteers: Int?
    /// Set for an embedding table (`galaxynet embed`): the rows are a hidden layer's activations
    /// instead of answers.
    public var embedding: EmbeddingColumns?

    public init(tree: DecisionTree, votes: Bool = false, columns: CatalogueColumns = .friendly, volunteers: Int? = nil) {
        (self.tree, self.votes, self.columnsShown, self.volunteers) = (tree, votes, columns, volunteers)
    }

    /// The columns of an embedding: `units` activations stored per row, shown as `embedding_i`,
    /// or through `projection` as its components `pca_i`.
    public init(tree: DecisionTree, embedding: EmbeddingColumns) {
        self.init(tree: tree)
        self.embedding = embedding
    }

    public var answerNames: [String] { tree.columnNames }
    var width: Int { tree.outputCount }
    var prefixes: [String] { tree.answers.map { tree.columnStyle == .kaggle ? $0.columnName : $0.countColumnName } }

    public var columns: [TableColumn] {
        if let embedding {
            return embedding.projection.map { p in (0..<p.count).map { TableColumn("pca_\($0)", .float32) } }
                ?? (0..<embedding.units).map { TableColumn("embedding_\($0)", .float32) }
        }
        var names = answerNames + answerNames.map { $0 + "_spread" } + ["tta_spread"]
        if votes {
            names += prefixes.map { $0 + "_lower" } + prefixes.map { $0 + "_upper" } + tree.questions.map { $0.key + "_proportion_asked" }
            if columnsShown == .advanced {
                names += prefixes.map { $0 + "_concentration" }
                if volunteers != nil { names += prefixes.map { $0 + "_expected_votes" } }
            }
        }
        return names.map { TableColumn($0, .float32) } + [TableColumn("likeliest_path", .text)]
    }

    /// Floats per row in the numeric block: answers, spreads, tta_spread; for vote models also
    /// lower, upper, proportion asked and mean concentration.
    public var numberCount: Int { embedding?.units ?? 2 * width + 1 + (votes ? 3 * width + tree.questions.count : 0) }

    /// The numeric block of one prediction.
    public func numbers(_ p: Prediction) -> [Float] {
        if let embedding {
            guard let e = p.embedding, e.count == embedding.units else { preconditionFailure("PredictionSchema: a prediction without its \(embedding.units)-unit embedding") }
            return e
        }
        let rms = (p.spread.map { $0 * $0 }.reduce(0, +) / Float(p.spread.count)).squareRoot()
        var block = p.answers + p.spread + [rms]
        guard votes else { return block }
        guard let predictive = p.predictive(tree: tree) else { preconditionFailure("PredictionSchema: a vote model's prediction has no concentrations") }
        let intervals = tree.answers.map { predictive.fractionInterval($0) }
        block += intervals.map(\.lower) + intervals.map(\.upper) + predictive.proportionAsked
        let views = Float(predictive.views)
        block += (0..<width).map { c in stride(from: c, to: predictive.concentrations.count, by: width).reduce(Float(0)) { $0 + predictive.concentrations[$1] } / views }
        return block
    }

    /// The typed cells of one row from its numeric block. A catalogue-style tree's answers are
    /// written as the catalogues hold them, within their question; each spread is scaled by the
    /// same mass (to first order the spread of the within-question fraction).
    public func cells(numbers: ArraySlice<Float>) -> [Cell] {
        precondition(numbers.count == numberCount, "PredictionSchema: \(numbers.count) numbers, expected \(numberCount)")
        if let embedding { return (embedding.projection?.project(numbers) ?? Array(numbers)).map(Cell.float32) }
        let n = width, block = Array(numbers), answers = Array(block.prefix(n))
        var row = Array(block.prefix(2 * n + 1))
        if tree.columnStyle == .catalogue {
            for q in tree.questions {
                let mass = tree.requiredMass(of: q, in: answers)
                for c in q.columns { (row[c], row[n + c]) = mass > 0 ? (answers[c] / mass, row[n + c] / mass) : (0, 0) }
            }
        }
        if votes {
            let extra = Array(block[(2 * n + 1)...]), questions = tree.questions.count
            row += extra.prefix(2 * n + questions)
            if columnsShown == .advanced {
                row += extra[(2 * n + questions)...]
                if let volunteers {
                    let within = tree.withinQuestion(answers), asked = Array(extra[(2 * n)..<(2 * n + questions)])
                    row += tree.answers.map { Float(volunteers) * asked[$0.question - 1] * within[$0.column] }
                }
            }
        }
        return row.map(Cell.float32) + [.text(tree.describePath(answers))]
    }
}

/// What an embedding table holds: the units of the kept layer, and the projection its rows are
/// shown through (nil: the activations themselves).
public struct EmbeddingColumns: Sendable {
    public var units: Int
    public var projection: PCA?
    public init(units: Int, projection: PCA? = nil) { (self.units, self.projection) = (units, projection) }
}
