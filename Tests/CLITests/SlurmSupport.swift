import Foundation
import Testing
import TestSupport

/// A real single-node Slurm (Debian's slurm-wlm and munge, installed by `make test`), started
/// once for the suite by `contrib/slurm/local-cluster.sh` and stopped when the test process ends.
final class SlurmCluster: Sendable {
    let folder: String
    let environment: [String: String]

    /// The cluster, or why there is none (printed by each test that skips).
    static let shared: Result<SlurmCluster, SlurmUnavailable> = {
        let folder = scratch("slurm")
        let port = 20000 + Int(getpid() % 20000)
        let (status, said) = clusterScript("start", folder, environment: ["SLURMCTLD_PORT=\(port)", "SLURMD_PORT=\(port + 1)"])
        guard status == 0 else {
            return .failure(SlurmUnavailable(reason: said.hasPrefix("skip: ") ? String(said.dropFirst(6)) : "the local cluster did not start: \(said)",
                                             isSkip: said.hasPrefix("skip: ")))
        }
        stopFolder = folder
        atexit { _ = SlurmCluster.clusterScript("stop", SlurmCluster.stopFolder) }
        return .success(SlurmCluster(folder: folder))
    }()

    /// Runs local-cluster.sh with posix_spawn and waitpid, its output in a file: Foundation's
    /// Process waits for the daemons the script leaves running (they hold no pipe of ours, but
    /// its exit notification never came here), so it is not used for this one script.
    static func clusterScript(_ command: String, _ folder: String, environment: [String] = []) -> (status: Int32, output: String) {
        let log = folder + ".\(command).log"
        let arguments = ["/bin/bash", "-c", "exec \"$0\" \"$1\" \"$2\" > \"$3\" 2>&1 < /dev/null", script("local-cluster.sh"), command, folder, log]
        let variables = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" } + environment
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil], envp = variables.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/bash", nil, nil, argv, envp) == 0 else { return (-1, "cannot start /bin/bash") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : -1, output)
    }
    nonisolated(unsafe) static var stopFolder = ""

    /// The cluster, nil (with the reason printed) where Slurm cannot be installed here; a cluster
    /// that was installed but did not start is a failure, not a skip.
    static func get() throws -> SlurmCluster? {
        switch shared {
        case .success(let cluster): return cluster
        case .failure(let why) where why.isSkip: print("skipped: \(why.reason)"); return nil
        case .failure(let why): throw why
        }
    }

    init(folder: String) {
        self.folder = folder
        environment = ["SLURM_CONF": folder + "/slurm.conf", "GALAXYNET": CLI.executable.path,
                       "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]
    }

    static func script(_ name: String) -> String { TestSupport.repositoryRoot + "/contrib/slurm/" + name }

    /// Runs a Slurm command (sbatch, scancel, scontrol …) against this cluster.
    func run(_ command: String, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), [command] + arguments, environment: environment)
    }

    /// Submits `script` (a file of contrib/slurm) with sbatch options; returns the job ID.
    func submit(_ options: [String], _ script: String, _ arguments: [String], in folder: String) throws -> String {
        let result = try run("sbatch", ["--parsable", "--chdir", folder] + options + [Self.script(script)] + arguments)
        guard result.status == 0 else { throw SlurmUnavailable(reason: "sbatch \(script) failed: \(result.error)", isSkip: false) }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: ";")[0]
    }

    /// A job's state and exit code from scontrol (finished jobs stay listed for MinJobAge = 600 s).
    func state(_ job: String) throws -> (state: String, exitCode: String) {
        let shown = try run("scontrol", ["show", "job", "--oneliner", job]).output
        func field(_ name: String) -> String {
            shown.split(separator: " ").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) } ?? "?"
        }
        return (field("JobState"), field("ExitCode"))
    }

    /// Waits until every task of `job` has ended; returns each task's final state.
    @discardableResult
    func wait(_ job: String, timeout: TimeInterval = 300) throws -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let states = try run("scontrol", ["show", "job", "--oneliner", job]).output.split(separator: "\n").compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("JobState=") }.map { String($0.dropFirst(9)) }
            }
            if !states.isEmpty, states.allSatisfy({ !["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED"].contains($0) }) { return states }
            Thread.sleep(forTimeInterval: 0.5)
        }
        throw SlurmUnavailable(reason: "job \(job) did not end within \(Int(timeout)) s", isSkip: false)
    }
}

/// Why the Slurm tests cannot run: a skip (not root, packages not installable) or a failure.
struct SlurmUnavailable: Error, CustomStringConvertible {
    let reason: String, isSkip: Bool
    var description: String { reason }
}
