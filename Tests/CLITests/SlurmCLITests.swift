import Foundation
import Testing
import TestSupport

/// contrib/slurm's scripts under a real Slurm (slurmctld + slurmd on this machine, Open MPI ranks
/// started by `srun --mpi=pmix`): a job array of catalogue shards with a task cancelled and
/// resubmitted, the join after it; training stopped by its time limit and resubmitted; a rank
/// killed. Skipped, with the reason, only where Slurm cannot be installed or started as root.
@Suite("Slurm", .serialized)
struct SlurmCLITests {
    /// A mock universe and a 2-update run to predict with (shared by the tests).
    static let prepared = Result { () throws -> (folder: String, mock: String, run: String) in
        let folder = scratch("slurm-work")
        try CLI.setUp(["mock", "--count", "120", "--test-count", "4", "--seed", "12", "--out", folder + "/mock"])
        try CLI.setUp(["train", "--data", folder + "/mock", "--steps", "2", "--workers", "1", "--out", folder + "/run"])
        return (folder, folder + "/mock", folder + "/run")
    }

    /// Waits for `condition`, failing after `seconds`.
    func waitFor(_ what: String, seconds: Double = 120, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw SlurmUnavailable(reason: "\(what) did not happen within \(Int(seconds)) s", isSkip: false) }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    @Test func anArrayTaskCancelledAndResubmittedLosesAndDoublesNoRow() throws {
        guard let slurm = try SlurmCluster.get() else { return }
        let (folder, mock, run) = try Self.prepared.get()
        let images = try FileManager.default.contentsOfDirectory(atPath: mock + "/images_training_rev1").sorted()
        var text = "objid,ra,dec,file\n"
        for i in 0..<160 { text += "\(5_000 + i),\(150 + Double(i) / 1000),-1.5,\(mock)/images_training_rev1/\(images[i % images.count])\n" }
        try text.write(toFile: folder + "/catalogue.csv", atomically: true, encoding: .utf8)
        let options = ["--chunk", "20", "--tta", "8", "--id-column", "objid"], out = folder + "/sharded.fits"
        // 8 chunks over 4 shards: shard 1 holds chunks 1 and 5; it is cancelled after its first.
        let array = try slurm.submit(["--array=0-3"], "predict-array.sbatch", ["4", run, "catalogue.csv", out] + options, in: folder)
        try waitFor("shard 1's first chunk") { FileManager.default.fileExists(atPath: out + ".parts/chunk-000001.json") }
        #expect(try slurm.run("scancel", ["\(array)_1"]).status == 0)
        let states = try slurm.wait(array)
        #expect(states.filter { $0 == "CANCELLED" }.count == 1 && states.filter { $0 == "COMPLETED" }.count == 3, "\(states)")
        let again = try slurm.submit(["--array=1"], "predict-array.sbatch", ["4", run, "catalogue.csv", out] + options, in: folder)
        // afterok on the tasks that finished and on the resubmission (the whole array never will).
        let tasks = [0, 2, 3].map { "\(array)_\($0)" } + [again]
        let join = try slurm.submit(["--dependency=afterok:" + tasks.joined(separator: ":")], "predict-assemble.sbatch",
                                    [run, "catalogue.csv", out] + options, in: folder)
        #expect(try slurm.wait(join) == ["COMPLETED"], "\(read(folder + "/galaxynet-assemble-\(join).out"))")
        let resubmitted = read(folder + "/galaxynet-predict-\(again)_1.out")
        #expect(resubmitted.contains("reused from finished chunks") && !resubmitted.contains(" 0 reused from finished chunks"), "\(resubmitted)")
        // The same catalogue predicted at once, unsharded, outside Slurm: the same table.
        try CLI.setUp(["predict", "--run", run, "--catalog", folder + "/catalogue.csv", "--out", folder + "/direct.fits"] + options)
        let compared = try TestSupport.python("""
            from astropy.io import fits
            import numpy as np
            a, b = fits.open('\(out)'), fits.open('\(folder)/direct.fits')
            ta, tb = a[1].data, b[1].data
            ids = list(ta['objid'])
            print(len(ids), len(set(ids)), ids == list(tb['objid']))
            print(max(float(np.max(np.abs(ta[c] - tb[c]))) for c in ta.columns.names if c.startswith('Class')))
            print(a[1].header['GNMODEL'] == b[1].header['GNMODEL'])
            """).split(separator: "\n").map(String.init)
        // One thread per array task against two for the direct run: the views' sums round alike to 1e-6.
        #expect(compared.count == 3 && compared[0] == "160 160 True" && (Double(compared[1]) ?? 1) < 1e-6 && compared[2] == "True", "\(compared)")
        let info = try CLI.setUp(["info", out])
        #expect(info.contains("GNMODEL = ") && info.contains("GNVERSN = "), "\(info)")
    }

    /// `train.sbatch` under a 1-minute limit with SIGTERM before it: the ranks checkpoint and stop
    /// (exit 130); the same script resubmitted continues, and ends where an uninterrupted job
    /// ends, update for update.
    @Test func aJobStoppedByItsTimeLimitResumesToTheSameWeights() throws {
        guard let slurm = try SlurmCluster.get() else { return }
        let (folder, mock, _) = try Self.prepared.get()
        let train = ["--data", mock, "--batch", "4", "--workers", "1", "--steps", "100000"]
        let first = try slurm.submit(["--time=1", "--signal=TERM@55"], "train.sbatch", ["limited"] + train, in: folder)
        #expect(try slurm.wait(first, timeout: 150) == ["FAILED"])
        let said = read(folder + "/galaxynet-train-\(first).out")
        #expect(try slurm.state(first).exitCode == "130:0" && said.contains("stopped by a signal (the time limit) after a checkpoint"), "\(said)")
        let stopped = try #require(said.split(separator: "\n").compactMap { $0.hasPrefix("stopped at step ") ? Int($0.split(separator: " ")[3]) : nil }.first,
                                   "\(said)")
        let until = ["--until", String(stopped + 17)]
        let resumed = try slurm.submit([], "train.sbatch", ["limited"] + train + until, in: folder)
        let whole = try slurm.submit([], "train.sbatch", ["whole"] + train + until, in: folder)
        #expect(try slurm.wait(resumed, timeout: 200) == ["COMPLETED"], "\(read(folder + "/galaxynet-train-\(resumed).out"))")
        #expect(try slurm.wait(whole, timeout: 200) == ["COMPLETED"], "\(read(folder + "/galaxynet-train-\(whole).out"))")
        for file in ["weights.safetensors", "optimizer.safetensors"] {
            let a = FileManager.default.contents(atPath: "\(folder)/limited/checkpoint/\(file)"), b = FileManager.default.contents(atPath: "\(folder)/whole/checkpoint/\(file)")
            #expect(a != nil && a == b, "\(file) differs from the uninterrupted job's")
        }
        #expect(read(folder + "/limited/log.jsonl").split(separator: "\n").map(Self.loss) == read(folder + "/whole/log.jsonl").split(separator: "\n").map(Self.loss))
        let info = try CLI.setUp(["info", folder + "/limited"])
        #expect(info.contains("session 2, from step \(stopped):") && info.contains("processes: 2 × 1 thread") && info.contains("in slurm job \(resumed)"), "\(info)")
        #expect(info.contains("(ISA ") && info.contains("GalaxyNet ") && info.contains("training: step \(stopped + 17) of 100000"), "\(info)")
    }

    /// A log line's step and loss (its rate and time differ between runs).
    static func loss(_ line: Substring) -> String {
        line.split(separator: ",").filter { $0.contains("\"step\"") || $0.contains("\"loss\"") }.sorted().joined(separator: ",")
    }

    /// One rank killed: srun ends the job within seconds (no rank left waiting in a collective),
    /// the script says what happened, and the resubmitted job resumes from the last checkpoint.
    @Test func aKilledRankEndsTheJobAndTheRunResumes() throws {
        guard let slurm = try SlurmCluster.get() else { return }
        let (folder, mock, _) = try Self.prepared.get()
        let train = ["--data", mock, "--batch", "4", "--workers", "1", "--steps", "100000", "--checkpoint-minutes", "0.05"]
        let job = try slurm.submit([], "train.sbatch", ["killed"] + train, in: folder)
        try waitFor("the first checkpoint") { FileManager.default.fileExists(atPath: folder + "/killed/checkpoint/state.json") }
        let rank1 = try #require(Self.process(environment: "SLURM_PROCID=1", command: "train"), "no rank 1 process found")
        kill(rank1, SIGKILL)
        let killedAt = Date()
        #expect(try slurm.wait(job, timeout: 60) == ["FAILED"])
        #expect(Date().timeIntervalSince(killedAt) < 30, "the job took \(Date().timeIntervalSince(killedAt)) s to end")
        let said = read(folder + "/galaxynet-train-\(job).out")
        #expect(said.contains("galaxynet-train: FAILED") && said.contains("submit the same command again to resume"), "\(said)")
        let state = read(folder + "/killed/checkpoint/state.json")
        let step = try #require(state.split(separator: "\n").first { $0.contains("\"step\"") }.flatMap { Int($0.filter(\.isNumber)) })
        let again = try slurm.submit([], "train.sbatch", ["killed"] + train + ["--until", String(step + 5)], in: folder)
        #expect(try slurm.wait(again, timeout: 120) == ["COMPLETED"], "\(read(folder + "/galaxynet-train-\(again).out"))")
        #expect(try CLI.setUp(["info", folder + "/killed"]).contains("session 2, from step \(step):"))
    }

    /// The process of this suite's cluster whose environment holds `variable` and whose command
    /// line holds `command`.
    static func process(environment variable: String, command: String) -> pid_t? {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry),
                  let line = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), let environ = FileManager.default.contents(atPath: "/proc/\(entry)/environ")
            else { continue }
            let words = line.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard words.first?.hasSuffix("galaxynet") == true, words.contains(command) else { continue }
            if environ.split(separator: 0).contains(where: { String(decoding: $0, as: UTF8.self) == variable }) { return pid }
        }
        return nil
    }
}
