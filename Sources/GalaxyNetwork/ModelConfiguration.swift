import Foundation
import GalaxyImaging
import GalaxyLayers
import GalaxyZoo

/// A readable description of a Galaxy Zoo network (stored as JSON in every run directory).
/// Every variant of the original blend is a configuration of the same model, not a copy.
public struct ModelConfiguration: Codable, Sendable, Equatable {
    public struct Convolution: Codable, Sendable, Equatable {
        public var filters: Int
        public var kernel: Int
        /// 2×2 stride-2 max-pooling after this layer.
        public var poolAfter: Bool
        public var initialization: Initialization
    }

    public struct DenseLayer: Codable, Sendable, Equatable {
        /// Linear units; maxout layers output units / 2.
        public var units: Int
        public var activation: Kind
        public var initialization: Initialization
        /// Max-norm limit on the RMS of each unit's incoming weights (nil: none).
        public var maxNorm: Float?
        public enum Kind: String, Codable, Sendable { case maxout, relu }
        public var outputs: Int { activation == .maxout ? units / 2 : units }
    }

    public var name: String
    public var summary: String
    public var convolutions: [Convolution]
    /// One bias per output position (untied) instead of per channel.
    public var untiedBiases: Bool
    /// Dense layers applied to each of the 16 parts separately (shared weights) before merging.
    public var partDense: [DenseLayer]
    /// Dense layers on the merged features.
    public var dense: [DenseLayer]
    public var output: Initialization
    public var dropout: Float
    /// Centre and rescale each image from its source extraction.
    public var centred: Bool
    /// The decision tree the outputs answer; absent (nil) means gz2, so earlier model.json files
    /// still read and a gz2 model's file is unchanged. Read and set it through `tree`.
    public var decisionTree: DecisionTree?

    /// What the network is trained to output; absent (nil) means the original's MSE on fractions.
    public var loss: Loss?

    /// The training loss, which decides what the outputs mean.
    public enum Loss: String, Codable, Sendable, CaseIterable {
        /// Mean squared error of the tree-constrained vote fractions (the original).
        case mse
        /// Vote counts under one Dirichlet-multinomial per question (Walmsley et al. 2022): the
        /// network outputs concentrations α = 1 + 99·sigmoid(score), kept in [1, 100] as Zoobot
        /// does so that no answer's α collapses to 0 and none grows without bound.
        case dirichletMultinomial = "dirichlet-multinomial"
    }

    /// A vote model's per-question concentration scales, fitted after training on held-out counts
    /// (`galaxynet calibrate --fit-scales`): each question's α are multiplied by its scale at
    /// inference, which keeps every expected fraction and makes the intervals as wide as the
    /// held-out votes say they should be. Nil: not fitted (all 1). Training never applies them.
    public var concentrationScales: [Float]?

    /// What the images are (bands, size, pixel scale); absent (nil) means SDSS colour cutouts,
    /// 424×424 at 0.396″/px, so earlier files still read. Read and set it through `cutout`.
    public var cutoutFormat: CutoutFormat?

    /// The images the model reads (SDSS colour cutouts unless the run chose another format).
    public var cutout: CutoutFormat {
        get { cutoutFormat ?? .sdss }
        set { cutoutFormat = newValue == .sdss ? nil : newValue }
    }

    /// The loss in force (`.mse` unless the run chose another).
    public var objective: Loss { loss ?? .mse }

    /// The decision tree the outputs answer (gz2 unless the run chose another).
    public var tree: DecisionTree {
        get { decisionTree ?? .gz2 }
        set { decisionTree = newValue == .gz2 ? nil : newValue }
    }

    /// The best single model of the winning solution (original-solution-spec.md §4): 42,377,125 parameters.
    public static let best = ModelConfiguration(
        name: "best", summary: "the winning solution's best model: 4 convs (6/5/3/3), untied biases, two maxout-2048 layers",
        convolutions: bestConvolutions(conv4: 128), untiedBiases: true, partDense: [],
        dense: [maxout(4096), maxout(4096)], output: .init(weightStandardDeviation: 0.01, bias: 0.1), dropout: 0.5, centred: false, decisionTree: nil, loss: nil, concentrationScales: nil, cutoutFormat: nil)

    static func bestConvolutions(conv4: Int, kernels: [Int] = [6, 5, 3, 3]) -> [Convolution] {
        let small = Initialization(weightStandardDeviation: 0.01, bias: 0.1)
        return [Convolution(filters: 32, kernel: kernels[0], poolAfter: true, initialization: small),
                Convolution(filters: 64, kernel: kernels[1], poolAfter: true, initialization: small),
                Convolution(filters: 128, kernel: kernels[2], poolAfter: false, initialization: small),
                Convolution(filters: conv4, kernel: kernels[3], poolAfter: true, initialization: .init(weightStandardDeviation: 0.1, bias: 0.1))]
    }

    static func maxout(_ units: Int, maxNorm: Float? = nil, std: Float = 0.001, bias: Float = 0.01) -> DenseLayer {
        DenseLayer(units: units, activation: .maxout, initialization: .init(weightStandardDeviation: std, bias: bias), maxNorm: maxNorm)
    }

    /// Every built-in configuration: the best model, the variants of original-solution-spec.md §7, and a small one for CPU demos.
    public static let builtIn: [ModelConfiguration] = {
        var list = [best]
        var v = best
        v.name = "one-maxout"; v.summary = "one maxout layer: 8192→4096→maxout 2048→37"; v.dense = [maxout(4096)]
        list.append(v)
        v = best
        v.name = "big256"; v.summary = "conv4 with 256 filters (16,384 merged features)"; v.convolutions = bestConvolutions(conv4: 256)
        list.append(v)
        v = best
        v.name = "bigger"; v.summary = "conv4 with 192 filters, one ReLU dense layer of 4096"
        v.convolutions = bestConvolutions(conv4: 192)
        v.dense = [DenseLayer(units: 4096, activation: .relu, initialization: .init(weightStandardDeviation: 0.001, bias: 0.01), maxNorm: nil)]
        list.append(v)
        v = best
        v.name = "normconstraint"; v.summary = "best with max-norm on dense1 (0.4) and dense2 (0.23)"
        v.dense = [maxout(4096, maxNorm: 0.4), maxout(4096, maxNorm: 0.23)]
        list.append(v)
        v = best
        v.name = "shareddense"; v.summary = "per-part dense 512→maxout 256 shared by the 16 parts, merge 4096, maxout dense 4096/2048"
        v.partDense = [maxout(512, std: 0.01, bias: 0.1)]; v.dense = [maxout(4096)]
        list.append(v)
        v = best
        v.name = "shareddense512"; v.summary = "per-part dense 1024→maxout 512, merge 8192, maxout dense 4096/2048"
        v.partDense = [maxout(1024, std: 0.01, bias: 0.1)]; v.dense = [maxout(4096)]
        list.append(v)
        v = best
        v.name = "8433"; v.summary = "filter sizes 8/4/3/3 (maps 38→19, 16→8, 6, 4→2)"; v.convolutions = bestConvolutions(conv4: 128, kernels: [8, 4, 3, 3])
        list.append(v)
        v = best
        v.name = "centred"; v.summary = "ReLU dense 4096 as in bigger, 128 filters, centred and rescaled input"
        v.dense = [DenseLayer(units: 4096, activation: .relu, initialization: .init(weightStandardDeviation: 0.001, bias: 0.01), maxNorm: nil)]
        v.centred = true
        list.append(v)
        v = best
        v.name = "small"; v.summary = "CPU demo: convs 16/32/32/32, tied biases, one maxout layer of 512"
        v.convolutions = [Convolution(filters: 16, kernel: 6, poolAfter: true, initialization: .init(weightStandardDeviation: 0.05, bias: 0.05)),
                          Convolution(filters: 32, kernel: 5, poolAfter: true, initialization: .init(weightStandardDeviation: 0.05, bias: 0.05)),
                          Convolution(filters: 32, kernel: 3, poolAfter: false, initialization: .init(weightStandardDeviation: 0.05, bias: 0.05)),
                          Convolution(filters: 32, kernel: 3, poolAfter: true, initialization: .init(weightStandardDeviation: 0.1, bias: 0.05))]
        v.untiedBiases = false
        v.dense = [maxout(512, std: 0.01, bias: 0.01)]
        list.append(v)
        v.name = "small-centred"; v.summary = "the CPU demo model on centred and rescaled input"; v.centred = true
        list.append(v)
        return list
    }()

    /// A built-in name, or a path to a JSON configuration file.
    public static func named(_ nameOrPath: String) throws -> ModelConfiguration {
        if let found = builtIn.first(where: { $0.name == nameOrPath }) { return found }
        guard let data = FileManager.default.contents(atPath: nameOrPath) else {
            throw KaggleDataError(file: nameOrPath, reason: "neither a built-in model (\(builtIn.map(\.name).joined(separator: ", "))) nor a readable JSON file")
        }
        return try decode(data, file: nameOrPath)
    }

    /// A configuration from JSON, checked to describe a network that can be built.
    public static func decode(_ data: Data, file: String) throws -> ModelConfiguration {
        let configuration: ModelConfiguration
        do { configuration = try JSONDecoder().decode(ModelConfiguration.self, from: data) } catch {
            throw KaggleDataError(file: file, reason: "not a model configuration: \(error)")
        }
        if let problem = configuration.problem { throw KaggleDataError(file: file, reason: "not a buildable model: \(problem)") }
        return configuration
    }

    /// What makes this configuration impossible to build (sizes out of range, a part smaller
    /// than a kernel, more than two billion parameters), or nil.
    public var problem: String? {
        var size = Parts.partSize
        for (i, c) in convolutions.enumerated() {
            guard (1...65_536).contains(c.filters), (1...size).contains(c.kernel) else {
                return "convolution \(i + 1) has \(c.filters) filters of \(c.kernel)×\(c.kernel) on \(size)×\(size) inputs"
            }
            size = c.poolAfter ? (size - c.kernel + 1) / 2 : size - c.kernel + 1
            guard size >= 1 else { return "convolution \(i + 1) leaves no pixels" }
        }
        for (i, d) in (partDense + dense).enumerated() where !(1...1_048_576).contains(d.units) || (d.activation == .maxout && d.units % 2 != 0) {
            return "dense layer \(i + 1) has \(d.units) units (maxout layers need an even count)"
        }
        let initialisations = convolutions.map(\.initialization) + (partDense + dense).map(\.initialization) + [output]
        guard initialisations.allSatisfy({ $0.weightStandardDeviation.isFinite && $0.weightStandardDeviation >= 0 && $0.bias.isFinite }) else {
            return "an initialisation is not finite"
        }
        guard (0..<1).contains(dropout) else { return "dropout \(dropout) is not in [0, 1)" }
        guard (partDense + dense).allSatisfy({ ($0.maxNorm ?? 1) > 0 }) else { return "a max-norm limit is not positive" }
        guard parameterCount <= 2_000_000_000 else { return "\(parameterCount) parameters" }
        if let problem = cutoutFormat?.problem { return problem }
        if let scales = concentrationScales {
            guard objective == .dirichletMultinomial, scales.count == tree.questions.count, scales.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                return "concentrationScales must be \(tree.questions.count) positive numbers, for a dirichlet-multinomial model"
            }
        }
        return nil
    }

    /// Trainable parameters, from the configuration alone (the tests hold it to the built model).
    public var parameterCount: Int {
        var size = Parts.partSize, channels = cutout.bands, total = 0
        for spec in convolutions {
            let out = size - spec.kernel + 1
            total += spec.filters * channels * spec.kernel * spec.kernel + (untiedBiases ? spec.filters * out * out : spec.filters)
            size = spec.poolAfter ? out / 2 : out
            channels = spec.filters
        }
        var features = channels * size * size
        for layer in partDense { total += features * layer.units + layer.units; features = layer.outputs }
        features *= Parts.count
        for layer in dense { total += features * layer.units + layer.units; features = layer.outputs }
        return total + features * tree.outputCount + tree.outputCount
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}
