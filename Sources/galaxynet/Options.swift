import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyKernels
import GalaxyImaging
import GalaxyLayers
import GalaxyTraining
import GalaxyPrediction
import GalaxyDistributed
import GalaxyZoo
import GalaxyNetwork

/// The compute backend chosen on the command line.
enum BackendChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case reference, onednn

    var backend: any Backend {
        switch self {
        case .reference: ReferenceBackend.shared
        case .onednn: OneDNNBackend.sharedFast
        }
    }
}

/// `--backend`, shared by every command that computes with tensors.
struct BackendOptions: ParsableArguments {
    @Option(help: "Compute backend (reference | onednn).") var backend: BackendChoice = .onednn

    /// How this process computes, as runs and outputs record it; under an MPI launcher every
    /// rank must call it (the ranks' hosts are gathered).
    func provenance() -> Provenance {
        Provenance(backend: backend.rawValue, kernels: backend == .onednn ? BLASInfo.provenance : nil,
                   threadsPerProcess: Parallelism.computeThreads).gathered(over: Launcher.processGroup())
    }
}

/// `--tta`, shared by the prediction commands.
struct TTAOptions: ParsableArguments {
    @Option(help: "Test-time transforms: 60 (3 zooms × 10 rotations × flip), 8 (right angles × flip, for bulk runs) or 1 (the plain view).")
    var tta: TestTimeAugmentation = .full
}

/// `--tree`, shared by the commands that read labels without a run to take the tree from.
struct TreeOptions: ParsableArguments {
    @Option(name: .customLong("tree"), help: "Decision tree: gz2 (the Kaggle tree), gz-decals-dr5, gz-desi, or a tree file (.json, docs/decision-tree.schema.json).")
    var name = "gz2"

    var tree: DecisionTree { get throws { try DecisionTree.named(name) } }
}

/// `--bands`, `--cutout-size`, `--cutout-scale`: the format of a new run's images (a trained
/// model records it, so prediction needs none of them).
struct CutoutOptions: ParsableArguments {
    @Option(help: "Bands of the images: 3 (colour JPEGs or g, r, i FITS; default) or 1 (grey-scale JPEGs or one-band FITS; no colour augmentation).")
    var bands: Int?
    @Option(help: "Side of the cutouts in pixels (default 424); the views cover the same share of the cutout at any size.") var cutoutSize: Int?
    @Option(help: "Arcseconds per pixel of the cutouts (default 0.396, SDSS); FITS cutouts are resampled to it.") var cutoutScale: Double?

    /// Whether any of the flags was given.
    var given: Bool { bands != nil || cutoutSize != nil || cutoutScale != nil }

    /// The format with the flags given over `base`; an unreadable one is a usage error.
    func format(over base: CutoutFormat = .sdss) throws -> CutoutFormat {
        let f = CutoutFormat(bands: bands ?? base.bands, size: cutoutSize ?? base.size, pixelScale: cutoutScale ?? base.pixelScale)
        if let problem = f.problem { throw ValidationError("--bands/--cutout-size/--cutout-scale: \(problem)") }
        return f
    }
}

/// `--json`, shared by the commands that can print one JSON object instead of text.
struct JSONOptions: ParsableArguments {
    @Flag(help: "Print one JSON object instead of text.") var json = false

    /// Prints `value` as sorted, indented JSON.
    func print<T: Encodable>(_ value: T) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        Swift.print(String(decoding: try e.encode(value), as: UTF8.self))
    }
}

/// `--images` for the benchmarks: a folder of JPEGs, cycled to `count` paths.
struct BenchImageOptions: ParsableArguments {
    @Option(help: "Folder of 424×424 JPEGs.") var images = "../shared/data/sdss-dev/images"

    func paths(count: Int) throws -> [String] {
        guard let all = try? FileManager.default.contentsOfDirectory(atPath: images) else {
            throw ValidationError("\(images): no such folder of images (give one with --images; the default is relative to the repository root)")
        }
        let names = all.filter(ImageSource.canRead).sorted()
        guard !names.isEmpty else { throw ValidationError("\(images) holds no readable images") }
        return (0..<count).map { "\(images)/\(names[$0 % names.count])" }
    }
}

extension TestTimeAugmentation: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: Int(argument) ?? 0) }
    public static var allValueStrings: [String] { allCases.map { String($0.rawValue) } }
}

extension ResamplingMode: ExpressibleByArgument {}
extension ModelConfiguration.Loss: ExpressibleByArgument {}

extension Shard: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
extension DatasetSplit: ExpressibleByArgument {}

/// The hidden activations LeNet offers.
enum HiddenActivation: String, ExpressibleByArgument, CaseIterable {
    case tanh, relu
    var activation: Activation { self == .tanh ? .tanh : .relu }
}
