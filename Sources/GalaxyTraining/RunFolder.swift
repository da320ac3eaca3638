import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyLayers
import GalaxyNetwork
import GalaxyImaging
import GalaxyModels

/// A training run's folder, and the only code that writes its files. It is a `ModelFolder`
/// (model.json and the checkpoint's published weights, all that prediction reads) with the
/// training lifecycle around it:
///
/// - `model.json`: the `ModelConfiguration`;
/// - `run.json`: the `TrainingOptions`;
/// - `data.txt`: the dataset the run trains on (`RunDataset`: its absolute path and its labels' CRC-32);
/// - `log.jsonl`: one `LogEntry` per logged step; `learning-curve.svg`;
/// - `bad-images.txt`: the images left out by `--on-bad-image skip`, with the reasons;
/// - `checkpoint/`: `weights.safetensors`, `optimizer.safetensors` (the optimiser's state by
///   parameter name: momentum velocities, or AdamW's `m.`/`v.` moments), `average.safetensors`
///   (the moving average of the weights, when the run keeps one: what prediction uses) and
///   `state.json` (`State`), replaced as a whole with renames.
public struct RunFolder: Sendable {
    public let path: String
    public init(_ path: String) { self.path = path }

    /// The trained model this run publishes.
    public var model: ModelFolder { ModelFolder(path) }
    public var modelFile: String { model.modelFile }
    public var optionsFile: String { path + "/run.json" }
    public var datasetFile: String { path + "/data.txt" }
    public var logFile: String { path + "/log.jsonl" }
    public var curveFile: String { path + "/learning-curve.svg" }
    public var badImagesFile: String { path + "/bad-images.txt" }
    public var checkpoint: String { model.checkpoint }
    public var weightsFile: String { model.weightsFile }
    public var optimizerFile: String { checkpoint + "/optimizer.safetensors" }
    public var averageFile: String { model.averageFile }
    public var stateFile: String { model.stateFile }

    /// One line of the log.
    public struct LogEntry: Codable, Sendable {
        public var step: Int
        public var loss: Double
        public var learning_rate: Float
        public var images_per_second: Double
        public var validation_rmse: Double?
        public var phase: String

        public init(step: Int, loss: Double, learning_rate: Float, images_per_second: Double, validation_rmse: Double?, phase: String) {
            (self.step, self.loss, self.learning_rate, self.images_per_second) = (step, loss, learning_rate, images_per_second)
            (self.validation_rmse, self.phase) = (validation_rmse, phase)
        }
    }

    /// What a checkpoint remembers besides tensors.
    public struct State: Codable, Sendable {
        public var step: Int
        public var seed: UInt64
        public var model: String
        public var bestValidationRMSE: Double?
        public var writtenAt: String
        /// Updates of the optimiser's current phase (AdamW's bias correction); nil in
        /// checkpoints from before it was stored.
        public var optimizerUpdates: Int?
        /// CRC-32 of each tensor file of the checkpoint by name (hex), verified when read; nil in
        /// checkpoints from before they were recorded.
        public var checksums: [String: String]?
        /// The losses logged since the last log line, so that a resumed run's next line is the one
        /// an uninterrupted run writes; nil in checkpoints from before it was stored.
        public var lossWindow: LossWindow?
    }

    /// Updates since the last log line and the sum of their losses, in the order they were added.
    public struct LossWindow: Codable, Sendable, Equatable {
        public var sum: Double
        public var count: Int
        public init(sum: Double, count: Int) { (self.sum, self.count) = (sum, count) }
    }

    /// A checkpoint read back: named weights, the named optimiser state (empty before the first
    /// update of a phase), the averaged weights (nil when the run keeps none) and the state.
    public struct Checkpoint {
        public var weights: [(name: String, tensor: Tensor)]
        public var optimizerState: [(name: String, tensor: Tensor)]
        public var average: [(name: String, tensor: Tensor)]?
        public var state: State
    }

    // MARK: The run's description

    /// Makes the folder for a new run; refuses one that already holds a run or anything else
    /// (nothing a user made is overwritten).
    public func create(configuration: ModelConfiguration, options: TrainingOptions, dataset: RunDataset) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: optionsFile) {
            throw CheckpointError(file: path, reason: "already holds a run: use --resume \(path), or another --out")
        }
        if let existing = try? fm.contentsOfDirectory(atPath: path), existing.contains(where: { $0 != Self.lockName }) {
            throw CheckpointError(file: path, reason: "the folder exists and is not empty (\(existing.sorted().prefix(3).joined(separator: ", "))…); give a new --out")
        }
        try FileOutput.createFolder(path)
        try FileOutput.write(configuration.json, to: modelFile)
        try FileOutput.write(Self.encode(options), to: optionsFile)
        try record(dataset)
        try FileOutput.write(Data(), to: logFile)
    }

    public func loadConfiguration() throws -> (ModelConfiguration, TrainingOptions) {
        guard let options = FileManager.default.contents(atPath: optionsFile) else {
            throw CheckpointError(file: path, reason: "not a run directory (run.json is missing)")
        }
        let configuration = try model.loadConfiguration()
        let decoded: TrainingOptions
        do { decoded = try JSONDecoder().decode(TrainingOptions.self, from: options) } catch {
            throw CheckpointError(file: optionsFile, reason: "unreadable run options: \(error)")
        }
        if let problem = decoded.problem { throw CheckpointError(file: optionsFile, reason: "unusable run options: \(problem)") }
        return (configuration, decoded)
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try! e.encode(value), as: UTF8.self)
    }

    // MARK: Checkpoints

    /// Writes weights, optimiser state, the average and state into `checkpoint.partial/`, then
    /// swaps it in for `checkpoint/` with renames, so a crash at any moment leaves one complete
    /// checkpoint.
    public func writeCheckpoint(model: GalaxyModel, optimizerState: [(name: String, tensor: Tensor)], optimizer: String,
                                average: GalaxyModel?, state: State) throws {
        let fm = FileManager.default
        let partial = checkpoint + ".partial", previous = checkpoint + ".previous"
        try? fm.removeItem(atPath: partial)
        try FileOutput.createFolder(partial)
        // Each file's CRC-32 is taken from the bytes written, not read back.
        var files = [("weights.safetensors", SafeTensors.encode(model.namedParameters, metadata: ["model": model.configuration.name, "step": String(state.step)])),
                     ("optimizer.safetensors", SafeTensors.encode(optimizerState, metadata: ["kind": optimizer]))]
        if let average {
            files.append(("average.safetensors", SafeTensors.encode(average.namedParameters, metadata: ["model": model.configuration.name, "step": String(state.step),
                                                                                                        "kind": "exponential-moving-average"])))
        }
        var state = state
        state.checksums = [:]
        for (name, data) in files {
            try FileOutput.write(data, to: partial + "/" + name)
            state.checksums?[name] = Checksum.hex(data)
        }
        try FileOutput.write(Self.encode(state), to: partial + "/state.json")
        try? fm.removeItem(atPath: previous)
        if fm.fileExists(atPath: checkpoint) { try FileOutput.move(checkpoint, to: previous) }
        try FileOutput.move(partial, to: checkpoint)
        try? fm.removeItem(atPath: previous)
    }

    public func readState() throws -> State {
        guard let data = FileManager.default.contents(atPath: stateFile) else { throw CheckpointError(file: stateFile, reason: "no checkpoint to resume from") }
        do { return try JSONDecoder().decode(State.self, from: data) } catch { throw CheckpointError(file: stateFile, reason: "unreadable: \(error)") }
    }

    /// The whole checkpoint, its tensors on `backend`, each file checked against its checksum.
    public func readCheckpoint(backend: any Backend) throws -> Checkpoint {
        let state = try readState()
        // state.json holds the checksums, so nothing checks its own numbers; the step is cross-checked
        // with the one written into the CRC-checked weights.
        if let written = try SafeTensors.metadata(weightsFile)["step"], written != String(state.step) {
            throw CheckpointError(file: stateFile, reason: "says step \(state.step) but its weights were written at step \(written); restore the checkpoint from a backup")
        }
        let average = FileManager.default.fileExists(atPath: averageFile) ? try readTensors(averageFile, state: state, backend: backend) : nil
        return Checkpoint(weights: try readTensors(weightsFile, state: state, backend: backend),
                          optimizerState: try readTensors(optimizerFile, state: state, backend: backend), average: average, state: state)
    }


    func readTensors(_ file: String, state: State?, backend: any Backend) throws -> [(name: String, tensor: Tensor)] {
        try model.readTensors(file, manifest: state.map { ModelFolder.Manifest(step: $0.step, checksums: $0.checksums) }, backend: backend)
    }

    /// The model of model.json with the checkpoint's published weights, on `backend`.
    public func loadModel(backend: any Backend) throws -> GalaxyModel { try model.loadModel(backend: backend) }

    // MARK: Lock

    static let lockName = ".lock"

    /// Holds the run folder for one training process: a second one (a `--resume` while it still
    /// trains) would interleave its log and checkpoints. The lock goes with the process, so a
    /// killed run leaves none behind.
    public final class Lock {
        private let descriptor: Int32
        init(_ descriptor: Int32) { self.descriptor = descriptor }
        deinit { close(descriptor) }
    }

    /// Takes the lock, or explains that another process holds it.
    public func lock() throws -> Lock {
        try FileOutput.createFolder(path)
        let file = path + "/" + Self.lockName
        let fd = open(file, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw CheckpointError(file: file, reason: "cannot open the lock file: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw CheckpointError(file: path, reason: "another process is training in this run folder; wait for it to finish or stop it first")
        }
        return Lock(fd)
    }

    // MARK: Log and curve

    /// Keeps the log lines up to `step` (a resumed run rewrites what came after its checkpoint).
    public func truncateLog(after step: Int) throws {
        let kept = readLog().filter { $0.step <= step }.map(Self.line)
        try FileOutput.write(kept.joined(), to: logFile)
    }

    public func append(_ entry: LogEntry) throws {
        try FileOutput.append(Data(Self.line(entry).utf8), to: logFile)
    }

    public func readLog() -> [LogEntry] {
        guard let data = FileManager.default.contents(atPath: logFile) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { try? JSONDecoder().decode(LogEntry.self, from: Data($0.utf8)) }
    }

    private static func line(_ entry: LogEntry) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try! e.encode(entry), as: UTF8.self) + "\n"
    }

    /// Lists the images a run left out, one "file: reason" per line.
    public func writeBadImages(_ errors: [ImageError]) throws {
        try FileOutput.write(errors.map { "\($0)\n" }.joined(), to: badImagesFile)
    }

    /// Replaces the learning-curve SVG atomically.
    public func writeCurve(_ svg: String) throws {
        try FileOutput.write(svg, to: curveFile)
    }
}
