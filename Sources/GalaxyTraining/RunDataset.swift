import Foundation
import GalaxyCore
import GalaxyLayers
import GalaxyZoo

/// The dataset a run trains on, as `data.txt` records it: the folder's absolute path (so a run
/// is found from any working directory) and the CRC-32 of its labels file (so a resume, a
/// prediction of its split or a comparison notices when the labels changed under it). Runs from
/// before the checksum was recorded hold the path alone.
public struct RunDataset: Sendable, Equatable {
    public var path: String
    /// CRC-32 (hex) of training_solutions_rev1.csv when the run began; nil in older runs.
    public var labelsChecksum: String?

    /// What `dataset` is now.
    public init(_ dataset: KaggleDataset) throws {
        path = URL(fileURLWithPath: dataset.root).standardizedFileURL.path
        labelsChecksum = try Checksum.hex(file: dataset.labelsFile)
    }

    init(path: String, labelsChecksum: String?) { (self.path, self.labelsChecksum) = (path, labelsChecksum) }

    var text: String { path + "\n" + (labelsChecksum.map { "labels-crc32 \($0)\n" } ?? "") }

    /// Reads data.txt: the path on the first line, then `labels-crc32 HEX` (1 to 8 digits:
    /// `Checksum.hex` writes no leading zeros).
    static func parse(_ text: String, file: String) throws -> RunDataset {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let path = lines.first else { throw CheckpointError(file: file, reason: "the run does not name its dataset; pass the data explicitly") }
        var checksum: String?
        for (n, line) in lines.enumerated().dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count == 2, fields[0] == "labels-crc32", (1...8).contains(fields[1].count), fields[1].allSatisfy(\.isHexDigit) else {
                throw CheckpointError(file: file, reason: "line \(n + 1): expected \"labels-crc32 HEX\", found \"\(line)\"")
            }
            checksum = String(fields[1])
        }
        return RunDataset(path: path, labelsChecksum: checksum)
    }

    /// How `now` differs from what the run recorded, or nil when the labels are the ones it began with.
    public func change(to now: RunDataset) -> String? {
        guard let recorded = labelsChecksum, let found = now.labelsChecksum, recorded != found else { return nil }
        return "the labels in \(now.path) are not the ones the run began with (CRC-32 \(found), recorded \(recorded))"
    }
}

extension RunFolder {
    /// The dataset data.txt records.
    public func recordedDataset() throws -> RunDataset {
        guard let text = try? String(contentsOfFile: datasetFile, encoding: .utf8) else {
            throw CheckpointError(file: datasetFile, reason: "the run does not name its dataset; pass the data explicitly")
        }
        return try RunDataset.parse(text, file: datasetFile)
    }

    /// The dataset folder the run trained on.
    public func datasetPath() throws -> String { try recordedDataset().path }

    /// Whether `dataset`'s labels differ from the ones the run began with: a sentence saying how, or nil.
    public func datasetChange(_ dataset: KaggleDataset) throws -> String? {
        try recordedDataset().change(to: RunDataset(dataset))
    }

    func record(_ dataset: RunDataset) throws { try FileOutput.write(dataset.text, to: datasetFile) }

    /// Whether a checkpoint has been written (a run stopped before its first has none).
    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: stateFile) }
}
