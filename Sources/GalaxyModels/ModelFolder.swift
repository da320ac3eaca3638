import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyLayers
import GalaxyNetwork

/// A trained model on disk, whatever made it: what prediction, a finetuned head or a server
/// loads, with no training option in sight. The path may also name a model file (`NAME.gnm`,
/// `ModelFile`): the configuration, the model and the fingerprint then come from it.
///
/// - `model.json`: the `ModelConfiguration` (the network and its output head);
/// - `checkpoint/weights.safetensors`: the weights;
/// - `checkpoint/average.safetensors`: the moving average of the weights, when the model keeps
///   one: then it is what predicts;
/// - `checkpoint/state.json`: the step and the CRC-32 of each tensor file (`Manifest`), checked
///   when a file is read.
///
/// A training run (`RunFolder` in GalaxyTraining) is a model folder with a lifecycle around it.
public struct ModelFolder: Sendable {
    public let path: String
    public init(_ path: String) { self.path = path }

    public var modelFile: String { path + "/model.json" }
    public var checkpoint: String { path + "/checkpoint" }
    public var weightsFile: String { checkpoint + "/weights.safetensors" }
    public var averageFile: String { checkpoint + "/average.safetensors" }
    public var stateFile: String { checkpoint + "/state.json" }

    /// The part of `state.json` a model needs: which step the tensors are from and their checksums.
    public struct Manifest: Codable, Sendable {
        public var step: Int
        /// CRC-32 of each tensor file by name (hex); nil in checkpoints from before they were recorded.
        public var checksums: [String: String]?
        public init(step: Int, checksums: [String: String]?) { self.step = step; self.checksums = checksums }
    }

    /// The model's configuration, from model.json.
    public func loadConfiguration() throws -> ModelConfiguration {
        if ModelFile.isModelFile(path) { return try ModelFile.configuration(path) }
        guard let data = FileManager.default.contents(atPath: modelFile) else {
            throw CheckpointError(file: path, reason: "not a model or run folder (model.json is missing)")
        }
        do { return try ModelConfiguration.decode(data, file: modelFile) } catch { throw CheckpointError(file: modelFile, reason: "\(error)") }
    }

    /// The checkpoint's manifest, or nil when the folder has no checkpoint yet.
    public func readManifest() throws -> Manifest? {
        guard let data = FileManager.default.contents(atPath: stateFile) else { return nil }
        do { return try JSONDecoder().decode(Manifest.self, from: data) } catch { throw CheckpointError(file: stateFile, reason: "unreadable: \(error)") }
    }

    /// The file prediction reads: the averaged weights when the model keeps an average, else the
    /// weights. A manifest that lists an average whose file is gone is an error, not a silent
    /// fall-back to the raw weights (they are not what the run meant to publish).
    public func publishedWeightsFile(_ manifest: Manifest?) throws -> String {
        let name = (averageFile as NSString).lastPathComponent
        if FileManager.default.fileExists(atPath: averageFile) { return averageFile }
        if manifest?.checksums?[name] != nil {
            throw CheckpointError(file: averageFile, reason: "the checkpoint keeps a weight average but the file is missing; restore it or retrain")
        }
        return weightsFile
    }

    /// The model of model.json with the published weights, on `backend`.
    public func loadModel(backend: any Backend) throws -> GalaxyModel {
        if ModelFile.isModelFile(path) { return try ModelFile.load(path, backend: backend) }
        let configuration = try loadConfiguration(), manifest = try readManifest()
        guard manifest != nil || FileManager.default.fileExists(atPath: weightsFile) else {
            throw CheckpointError(file: checkpoint, reason: "no trained weights yet (no checkpoint); train the run first")
        }
        var g = SeededGenerator(seed: 0)
        var model = GalaxyModel(configuration, generator: &g, backend: backend)
        let file = try publishedWeightsFile(manifest)
        try model.load(try readTensors(file, manifest: manifest, backend: backend), file: file)
        return model
    }

    /// What identifies this model's predictions: the CRC-32 of model.json and of the published
    /// weights' bytes. Bulk runs record it with every part they write.
    public func fingerprint() throws -> String {
        if ModelFile.isModelFile(path) {
            guard let recorded = try ModelFile.metadata(path)["fingerprint"] else { throw CheckpointError(file: path, reason: "the model file records no fingerprint") }
            return recorded
        }
        let file = try publishedWeightsFile(try readManifest())
        var parts: [String] = []
        for path in [modelFile, file] {
            guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError(file: path, reason: "file not found") }
            parts.append(Checksum.hex(data))
        }
        return parts.joined(separator: "-")
    }

    /// Writes `model` as a model folder that holds nothing else (an export, a finetuned head):
    /// model.json, the weights and a manifest with their checksum. Refuses a folder that exists.
    public func write(_ model: GalaxyModel, step: Int = 0) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw CheckpointError(file: path, reason: "already exists; give a new folder") }
        try FileOutput.createFolder(checkpoint)
        try FileOutput.write(model.configuration.json, to: modelFile)
        let weights = SafeTensors.encode(model.namedParameters, metadata: ["model": model.configuration.name, "step": String(step)])
        try FileOutput.write(weights, to: weightsFile)
        let manifest = Manifest(step: step, checksums: [(weightsFile as NSString).lastPathComponent: Checksum.hex(weights)])
        try FileOutput.write(try JSONEncoder().encode(manifest), to: stateFile)
    }


    /// A checkpoint tensor file, refused when its bytes are not the ones written (a flipped
    /// byte in a weight would otherwise load silently).
    public func readTensors(_ file: String, manifest: Manifest?, backend: any Backend) throws -> [(name: String, tensor: Tensor)] {
        // One read: the bytes checked are the bytes decoded.
        guard let data = FileManager.default.contents(atPath: file) else { throw CheckpointError(file: file, reason: "file not found") }
        if let expected = manifest?.checksums?[(file as NSString).lastPathComponent] {
            let found = Checksum.hex(data)
            guard found == expected else {
                throw CheckpointError(file: file, reason: "damaged: its CRC-32 is \(found), the checkpoint recorded \(expected) when it wrote it; "
                                      + "restore the file from a backup or retrain")
            }
        }
        return try SafeTensors.decode(data, file: file, backend: backend)
    }
}
