import Foundation
import GalaxyTensor
import GalaxyLayers
import GalaxyZoo
import GalaxyNetwork

/// A training run's folder: `model.json`, `run.json`, `log.jsonl`, `learning-curve.svg` and
/// `checkpoint/` (weights.safetensors, optimizer.safetensors, state.json), written atomically.
public struct RunDirectory: Sendable {
    public let path: String
    public init(_ path: String) { self.path = path }

    public var modelFile: String { path + "/model.json" }
    public var optionsFile: String { path + "/run.json" }
    public var logFile: String { path + "/log.jsonl" }
    public var curveFile: String { path + "/learning-curve.svg" }
    public var checkpoint: String { path + "/checkpoint" }

    /// One line of the log.
    public struct LogEntry: Codable, Sendable {
        public var step: Int
        public var loss: Double
        public var learning_rate: Float
        public var images_per_second: Double
        public var validation_rmse: Double?
        public var phase: String
    }

    /// What a checkpoint remembers besides tensors.
    public struct State: Codable, Sendable {
        public var step: Int
        public var seed: UInt64
        public var model: String
        public var bestValidationRMSE: Double?
        public var writtenAt: String
    }

    func create(configuration: ModelConfiguration, options: TrainingOptions) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: optionsFile) {
            throw CheckpointError(file: path, reason: "already holds a run: use --resume \(path), or another --out")
        }
        try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Data(configuration.json.utf8).write(to: URL(fileURLWithPath: modelFile), options: .atomic)
        try Data(Self.encode(options).utf8).write(to: URL(fileURLWithPath: optionsFile), options: .atomic)
        try Data().write(to: URL(fileURLWithPath: logFile))
    }

    public func loadConfiguration() throws -> (ModelConfiguration, TrainingOptions) {
        guard let model = FileManager.default.contents(atPath: modelFile), let options = FileManager.default.contents(atPath: optionsFile) else {
            throw CheckpointError(file: path, reason: "not a run directory (model.json and run.json are missing)")
        }
        do {
            return (try JSONDecoder().decode(ModelConfiguration.self, from: model), try JSONDecoder().decode(TrainingOptions.self, from: options))
        } catch { throw CheckpointError(file: path, reason: "unreadable run description: \(error)") }
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try! e.encode(value), as: UTF8.self)
    }

    /// Writes weights, optimizer velocities and state into `checkpoint.partial/`, then swaps it
    /// in for `checkpoint/` with renames, so a crash at any moment leaves one complete checkpoint.
    func writeCheckpoint(model: GalaxyModel, velocities: [(name: String, tensor: Tensor)], state: State) throws {
        let fm = FileManager.default
        let partial = checkpoint + ".partial", previous = checkpoint + ".previous"
        try? fm.removeItem(atPath: partial)
        try fm.createDirectory(atPath: partial, withIntermediateDirectories: true)
        try SafeTensors.write(model.namedParameters, metadata: ["model": model.configuration.name, "step": String(state.step)],
                              to: partial + "/weights.safetensors")
        try SafeTensors.write(velocities, metadata: ["kind": "sgd-nesterov-velocities"], to: partial + "/optimizer.safetensors")
        try Data(Self.encode(state).utf8).write(to: URL(fileURLWithPath: partial + "/state.json"), options: .atomic)
        try? fm.removeItem(atPath: previous)
        if fm.fileExists(atPath: checkpoint) { try fm.moveItem(atPath: checkpoint, toPath: previous) }
        try fm.moveItem(atPath: partial, toPath: checkpoint)
        try? fm.removeItem(atPath: previous)
    }

    func readState() throws -> State {
        let file = checkpoint + "/state.json"
        guard let data = FileManager.default.contents(atPath: file) else { throw CheckpointError(file: file, reason: "no checkpoint to resume from") }
        do { return try JSONDecoder().decode(State.self, from: data) } catch { throw CheckpointError(file: file, reason: "unreadable: \(error)") }
    }

    /// Keeps the log lines up to `step` (a resumed run rewrites what came after its checkpoint).
    func truncateLog(after step: Int) throws {
        guard let data = FileManager.default.contents(atPath: logFile) else { return }
        let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
            (try? JSONDecoder().decode(LogEntry.self, from: Data(line.utf8)))?.step ?? Int.max <= step
        }
        try Data((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8).write(to: URL(fileURLWithPath: logFile), options: .atomic)
    }

    func append(_ entry: LogEntry) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: try e.encode(entry) + Data("\n".utf8))
    }

    func readLog() -> [LogEntry] {
        guard let data = FileManager.default.contents(atPath: logFile) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { try? JSONDecoder().decode(LogEntry.self, from: Data($0.utf8)) }
    }
}
