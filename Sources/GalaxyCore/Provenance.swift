import Foundation

/// How something was made: which GalaxyNet (version and source commit), by which command, on
/// which kernels and instruction set, in how many processes and threads on which hosts, from
/// which inputs (CRC-32 checksums). A run folder keeps one per training session
/// (`provenance.json`, `galaxynet info RUN`); bulk outputs carry one beside them (FITS header
/// keywords, or a `.provenance.json` sidecar for CSV), so two results can be told apart a month
/// later.
public struct Provenance: Codable, Sendable, Equatable {
    /// GalaxyNet's version (`GalaxyNetBuild.version`).
    public var version: String
    /// The source the binary was built from (`GalaxyNetBuild.source`).
    public var source: String
    /// When the work began (ISO 8601, UTC).
    public var started: String
    public var commandLine: [String]
    public var workingDirectory: String
    /// The compute backend (`onednn`, `reference`).
    public var backend: String
    /// What the kernel libraries actually ran, after `DNNL_MAX_CPU_ISA` and `OPENBLAS_CORETYPE`.
    public var kernels: Kernels?
    /// Processes of the job (MPI ranks), threads per process, and each rank's host, in rank order.
    public var processes: Int
    public var threadsPerProcess: Int
    public var hosts: [String]
    /// Checksums of the inputs by role ("labels", "images", "model", "catalogue"), CRC-32 in hex.
    public var inputs: [String: String]
    /// Set by the batch system, when one started the job: e.g. "slurm job 1234 (array task 3)".
    public var batchJob: String?
    /// For a training session: the update it began at (0 for a new run).
    public var firstStep: Int?
    /// For a prediction: the test-time views averaged per galaxy.
    public var testTimeViews: Int?

    /// The kernel libraries and what they chose on this CPU.
    public struct Kernels: Codable, Sendable, Equatable {
        public var oneDNNVersion: String
        public var oneDNNISA: String
        /// The BLAS library file, its kernel family (e.g. Haswell, SkylakeX), threading and threads.
        public var blasLibrary: String
        public var blasCore: String
        public var blasThreading: String
        public var blasThreads: Int
        public init(oneDNNVersion: String, oneDNNISA: String, blasLibrary: String, blasCore: String, blasThreading: String, blasThreads: Int) {
            (self.oneDNNVersion, self.oneDNNISA, self.blasLibrary) = (oneDNNVersion, oneDNNISA, blasLibrary)
            (self.blasCore, self.blasThreading, self.blasThreads) = (blasCore, blasThreading, blasThreads)
        }
    }

    /// This process's facts; `processes` and `hosts` are those of a single process until a
    /// process group fills them in.
    public init(backend: String, kernels: Kernels?, threadsPerProcess: Int, inputs: [String: String] = [:],
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        version = GalaxyNetBuild.version
        source = GalaxyNetBuild.source
        started = ISO8601DateFormatter().string(from: Date())
        commandLine = CommandLine.arguments
        workingDirectory = FileManager.default.currentDirectoryPath
        self.backend = backend
        self.kernels = kernels
        processes = 1
        self.threadsPerProcess = threadsPerProcess
        hosts = [ProcessInfo.processInfo.hostName]
        self.inputs = inputs
        batchJob = Self.batchJob(environment)
    }

    /// The Slurm job that runs this process, from the variables Slurm sets.
    static func batchJob(_ environment: [String: String]) -> String? {
        if let array = environment["SLURM_ARRAY_JOB_ID"], let task = environment["SLURM_ARRAY_TASK_ID"] {
            return "slurm job \(array) (array task \(task))"
        }
        return environment["SLURM_JOB_ID"].map { "slurm job \($0)" }
    }

    /// How records are written: indented, keys sorted, for a person and a diff.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public var json: String { String(decoding: try! Self.encoder.encode(self), as: UTF8.self) }

    /// Reads provenance written by `json` (or a list of them), naming the file when it cannot.
    public static func read<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw OutputError(file: path, reason: "cannot read the file") }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw OutputError(file: path, reason: "not a GalaxyNet provenance record: \(error)")
        }
    }

    /// Lines for a person: what `galaxynet info` prints.
    public var description: [String] {
        var lines = ["GalaxyNet \(version), source \(source)",
                     "started \(started)" + (batchJob.map { " in \($0)" } ?? ""),
                     "command: " + commandLine.map(Self.shellQuoted).joined(separator: " "),
                     "in: \(workingDirectory)",
                     "processes: \(processes) × \(threadsPerProcess) thread\(threadsPerProcess == 1 ? "" : "s") on \(Self.hostSummary(hosts))",
                     "backend: \(backend)"]
        if let k = kernels {
            lines.append("kernels: oneDNN \(k.oneDNNVersion) (ISA \(k.oneDNNISA)); BLAS \(k.blasLibrary) (\(k.blasCore), \(k.blasThreading), \(k.blasThreads) thread\(k.blasThreads == 1 ? "" : "s"))")
        }
        if let views = testTimeViews { lines.append("test-time views: \(views)") }
        for (role, checksum) in inputs.sorted(by: { $0.key < $1.key }) { lines.append("\(role): CRC-32 \(checksum)") }
        return lines
    }

    /// "vm (2 ranks)", or "a (1 rank), b (2 ranks)".
    static func hostSummary(_ hosts: [String]) -> String {
        var order: [String] = [], counts: [String: Int] = [:]
        for h in hosts { if counts[h] == nil { order.append(h) }; counts[h, default: 0] += 1 }
        return order.map { "\($0) (\(counts[$0]!) rank\(counts[$0]! == 1 ? "" : "s"))" }.joined(separator: ", ")
    }

    static func shellQuoted(_ word: String) -> String {
        word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) } && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// What this binary is: the version, and the source it was built from.
public enum GalaxyNetBuild {
    public static let version = "0.9.0"

    /// The git commit of the checkout the running binary was built in (found from the
    /// executable's path: SwiftPM builds into the checkout's `.build`), with "+ uncommitted
    /// changes" when its working tree differs; "unknown" for a binary copied elsewhere or a tree
    /// without git.
    public static let source: String = {
        guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return "unknown" }
        var folder = executable.deletingLastPathComponent()
        while folder.path != "/" {
            if folder.lastPathComponent == ".build" { return describe(checkout: folder.deletingLastPathComponent().path) }
            folder = folder.deletingLastPathComponent()
        }
        return "unknown (\(executable.path) is not in a checkout's .build folder)"
    }()

    static func describe(checkout: String) -> String {
        guard let commit = git(["rev-parse", "HEAD"], in: checkout), commit.count == 40 else { return "unknown (no git checkout at \(checkout))" }
        let changed = git(["status", "--porcelain", "--untracked-files=no"], in: checkout).map { !$0.isEmpty } ?? false
        return "git \(commit)" + (changed ? " + uncommitted changes" : "")
    }

    static func git(_ arguments: [String], in folder: String) -> String? {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", folder] + arguments
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
