import Foundation
import GalaxyCore
import GalaxyImaging
import GalaxyZoo

/// What produced a part of a bulk run. A rerun reuses a part only when all of it matches what
/// the rerun asks for; otherwise the run stops and names the part and what changed, so an old
/// answer is never passed off as a new one.
public struct BulkProvenance: Codable, Equatable, Sendable {
    /// The input (a catalogue, or a folder of images) by absolute path, and the CRC-32 of its bytes
    /// (for a folder: of its sorted image names).
    public var input: String
    public var inputChecksum: String
    /// `ModelFolder.fingerprint()`: model.json and the published weights.
    public var model: String
    public var testTimeTransforms: Int
    /// How FITS cutouts are rendered.
    public var rendering: FITSOptions
    public var idColumn: String, fileColumn: String
    /// Rows per part (catalogues) or the shard count (image folders).
    public var partition: Int
    /// The hidden layer of an embedding run (nil: the answers).
    public var embeddingLayer: String?

    public init(input: String, inputChecksum: String, model: String, testTimeTransforms: Int, rendering: FITSOptions,
                idColumn: String, fileColumn: String, partition: Int) {
        self.input = input; self.inputChecksum = inputChecksum; self.model = model; self.testTimeTransforms = testTimeTransforms
        self.rendering = rendering; self.idColumn = idColumn; self.fileColumn = fileColumn; self.partition = partition
    }

    /// What differs from `other`, in words a user can act on.
    public func differences(from other: BulkProvenance) -> [String] {
        var out: [String] = []
        if input != other.input { out.append("the input was \(other.input), now \(input)") }
        else if inputChecksum != other.inputChecksum { out.append("the input \(input) has changed since") }
        if model != other.model { out.append("the model (--run) differs: its weights or model.json changed") }
        if testTimeTransforms != other.testTimeTransforms { out.append("--tta was \(other.testTimeTransforms), now \(testTimeTransforms)") }
        if rendering != other.rendering { out.append("the FITS rendering options (--lupton-*, --band-scales, --pixel-scale) changed") }
        if idColumn != other.idColumn || fileColumn != other.fileColumn { out.append("the ID or file column changed") }
        if partition != other.partition { out.append("--chunk/--shard was \(other.partition), now \(partition)") }
        if embeddingLayer != other.embeddingLayer {
            out.append("it held \(other.embeddingLayer.map { "the embedding of layer \($0)" } ?? "answers"), now \(embeddingLayer.map { "the embedding of layer \($0)" } ?? "answers")")
        }
        return out
    }

    /// Refuses to reuse `part`, made under `recorded`, unless it matches.
    public func check(reusing part: String, recorded: BulkProvenance) throws {
        let changes = differences(from: recorded)
        guard changes.isEmpty else {
            throw BulkError(reason: "\(part) was made by a different run: \(changes.joined(separator: "; ")). "
                            + "Give another --out, or delete the old parts to predict again")
        }
    }
}

/// A bulk run that cannot go on as asked (stale parts, nothing predicted), with what to do.
public struct BulkError: Error, CustomStringConvertible {
    public let reason: String
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
