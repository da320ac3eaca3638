import Foundation
import Testing
import GalaxyImaging
import GalaxyTensor
import GalaxyLayers
import GalaxyNetwork
import GalaxyModels
import GalaxyPrediction
import TestSupport

/// A model folder loads and predicts with no training code: this target does not link
/// GalaxyTraining (Package.swift), and neither does GalaxyPrediction.
@Suite("Model folders")
struct ModelFolderTests {
    static func smallModel(seed: UInt64) -> GalaxyModel {
        var g = SeededGenerator(seed: seed)
        return GalaxyModel(ModelConfiguration.builtIn.first { $0.name == "small" }!, generator: &g, backend: ReferenceBackend.shared)
    }

    /// Two images' worth of random views (one transform each).
    static func views(seed: UInt64) -> (view0: [Float], view45: [Float]) {
        var g = SeededGenerator(seed: seed)
        let floats = (0..<(4 * ViewTransform.viewFloats)).map { _ in Float(g.nextUniform()) }
        return (Array(floats.prefix(2 * ViewTransform.viewFloats)), Array(floats.suffix(2 * ViewTransform.viewFloats)))
    }

    @Test func aSavedModelLoadsAndPredictsExactlyAsInMemory() throws {
        let model = Self.smallModel(seed: 4), folder = ModelFolder(TestSupport.temporaryFolder("model") + "/small")
        try folder.write(model)
        let loaded = try Predictor(folder: folder, backend: ReferenceBackend.shared, tta: .none)
        let direct = Predictor(model: model, tta: .none), (v0, v45) = Self.views(seed: 9)
        #expect(loaded.model.configuration == model.configuration)
        #expect(loaded.meanPrediction(view0: v0, view45: v45) == direct.meanPrediction(view0: v0, view45: v45))
        #expect(try folder.fingerprint() == (try folder.fingerprint()))
    }

    @Test func theFingerprintChangesWithTheWeights() throws {
        let root = TestSupport.temporaryFolder("model")
        let a = ModelFolder(root + "/a"), b = ModelFolder(root + "/b")
        try a.write(Self.smallModel(seed: 1))
        try b.write(Self.smallModel(seed: 2))
        #expect(try a.fingerprint() != (try b.fingerprint()))
        #expect(throws: CheckpointError.self) { try a.write(Self.smallModel(seed: 1)) }
    }

    @Test func damagedOrIncompleteFoldersAreRefusedByName() throws {
        let folder = ModelFolder(TestSupport.temporaryFolder("model") + "/m")
        try folder.write(Self.smallModel(seed: 3))
        var bytes = [UInt8](FileManager.default.contents(atPath: folder.weightsFile)!)
        bytes[bytes.count - 3] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: folder.weightsFile))
        let damaged = try #require(throws: CheckpointError.self) { _ = try folder.loadModel(backend: ReferenceBackend.shared) }
        #expect(damaged.description.hasPrefix(folder.weightsFile) && damaged.description.contains("damaged"))

        // A manifest that names a weight average whose file is gone: never the raw weights instead.
        let averaged = ModelFolder(TestSupport.temporaryFolder("model") + "/avg")
        try averaged.write(Self.smallModel(seed: 3))
        try FileOutput.write(#"{"step": 5, "checksums": {"weights.safetensors": "0", "average.safetensors": "0"}}"#, to: averaged.stateFile)
        let missing = try #require(throws: CheckpointError.self) { _ = try averaged.loadModel(backend: ReferenceBackend.shared) }
        #expect(missing.description.contains("weight average"), "\(missing)")

        let empty = ModelFolder(TestSupport.temporaryFolder("model"))
        let none = try #require(throws: CheckpointError.self) { _ = try empty.loadModel(backend: ReferenceBackend.shared) }
        #expect(none.description.contains("model.json"), "\(none)")
    }
}
