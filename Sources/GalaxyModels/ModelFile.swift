import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyLayers
import GalaxyNetwork

/// One trained model in one file (`NAME.gnm`, written by `galaxynet export`): a safetensors file
/// — readable by the `safetensors` package and a few lines of NumPy — whose tensors are the
/// published weights and whose metadata holds what else a prediction needs and a person wants to
/// know:
///
/// - `format`: `galaxynet-model/1`; `galaxynet`: the version that wrote it;
/// - `model.json`: the `ModelConfiguration` (network, decision tree, loss, cutout format: bands,
///   size, pixel scale; the preprocessing constants are the recipe's, fixed by the version);
/// - `card.md`: the model card (Markdown; `galaxynet card NAME.gnm`);
/// - `step`, `fingerprint`: the update the weights are from and the run's model checksum, so
///   predictions made from the file name the same model as the run's;
/// - `tensors-crc32`: the CRC-32 of the tensor bytes, verified on every load.
public enum ModelFile {
    public static let format = "galaxynet-model/1"

    /// Whether `path` names a model file rather than a model folder.
    public static func isModelFile(_ path: String) -> Bool { (path as NSString).pathExtension.lowercased() == "gnm" }

    /// Writes `folder`'s published model with `card` to `path`; refuses a path that exists.
    public static func write(_ folder: ModelFolder, card: String, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { throw CheckpointError(file: path, reason: "already exists; give a new file name") }
        guard let configuration = FileManager.default.contents(atPath: folder.modelFile) else {
            throw CheckpointError(file: folder.path, reason: "not a model or run folder (model.json is missing)")
        }
        let manifest = try folder.readManifest(), weights = try folder.publishedWeightsFile(manifest)
        let tensors = try folder.readTensors(weights, manifest: manifest, backend: ReferenceBackend.shared)
        // The CRC-32 of the data section as encode lays it out: the tensors' bytes in order.
        var crc: UInt32 = 0
        for (_, tensor) in tensors {
            crc = tensor.backend.withHostScalars(tensor) { Checksum.crc32(UnsafeRawBufferPointer($0), continuing: crc) }
        }
        var metadata = ["format": format, "galaxynet": GalaxyNetBuild.version, "model.json": String(decoding: configuration, as: UTF8.self),
                        "card.md": card, "step": String(manifest?.step ?? 0), "fingerprint": try folder.fingerprint()]
        metadata["tensors-crc32"] = String(crc, radix: 16)
        try FileOutput.write(SafeTensors.encode(tensors, metadata: metadata), to: path)
    }

    /// A model file's metadata, checked to be one (its tensors are not read).
    public static func metadata(_ path: String) throws -> [String: String] {
        let metadata = try SafeTensors.metadata(path)
        guard metadata["format"] == format else {
            throw CheckpointError(file: path, reason: "not a GalaxyNet model file (format \(metadata["format"] ?? "none"), expected \(format)); make one with galaxynet export")
        }
        return metadata
    }

    public static func configuration(_ path: String) throws -> ModelConfiguration {
        let text = try metadata(path)["model.json"] ?? ""
        do { return try ModelConfiguration.decode(Data(text.utf8), file: path) } catch { throw CheckpointError(file: path, reason: "\(error)") }
    }

    /// The model with its weights on `backend`, after the tensors' checksum is verified.
    public static func load(_ path: String, backend: any Backend) throws -> GalaxyModel {
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError(file: path, reason: "file not found") }
        let metadata = try metadata(path), found = tensorsChecksum(data)
        guard found == metadata["tensors-crc32"] else {
            throw CheckpointError(file: path, reason: "damaged: its weights' CRC-32 is \(found), the file recorded \(metadata["tensors-crc32"] ?? "none") when it was written")
        }
        var g = SeededGenerator(seed: 0)
        var model = GalaxyModel(try configuration(path), generator: &g, backend: backend)
        try model.load(try SafeTensors.decode(data, file: path, backend: backend), file: path)
        return model
    }

    /// The CRC-32 (hex, as `Checksum.hex`) of the bytes after a safetensors header: the tensors.
    static func tensorsChecksum(_ file: Data) -> String {
        let length = file.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let crc = file.withUnsafeBytes { raw in 8 + length <= raw.count ? Checksum.crc32(UnsafeRawBufferPointer(rebasing: raw[(8 + length)...])) : 0 }
        return String(crc, radix: 16)
    }
}
