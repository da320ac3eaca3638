import Foundation
import Testing

/// Runs galaxynet under `mpirun` (Open MPI, installed by `make test`).
enum MPI {
    static func run(ranks: Int, _ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        // Open MPI refuses root unless told; CI runs as root.
        try CLI.run(URL(fileURLWithPath: "/usr/bin/env"), ["mpirun", "-np", String(ranks), "--oversubscribe", CLI.executable.path] + arguments,
                    environment: ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"])
    }
}

/// Reads the float32 tensors of a safetensors file (enough of the format for the checks).
func safetensors(_ path: String) throws -> [String: [Float]] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any])
    var tensors: [String: [Float]] = [:]
    for (name, entry) in header where name != "__metadata__" {
        let offsets = try #require((entry as? [String: Any])?["data_offsets"] as? [Int])
        let bytes = data.subdata(in: (8 + length + offsets[0])..<(8 + length + offsets[1]))
        tensors[name] = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
    return tensors
}

@Suite("Data-parallel training and sharded prediction", .serialized)
struct DistributedCLITests {
    static let mock = Result { try mockUniverse(count: 120, testCount: 24, seed: 4) }


    /// Two ranks sharing each global batch give one process's losses (1e-4) and weights (RMS
    /// difference 1e-3 of each tensor's RMS; measured 2e-4) after 20 updates. The reference backend sums in a
    /// fixed order, so the only differences are the partial sums' rounding — which can tip a
    /// maxout or pooling choice that was a near-tie, moving a few weights by more (measured: up
    /// to 3e-3 of a tensor's largest weight on the mock made with the accurate DCT); a real split
    /// error (a wrong share, a lost gradient) moves every weight and the loss by far more.
    @Test func twoRanksTrainAsOneProcessDoes() throws {
        let one = scratch("rank1"), two = scratch("rank2")
        let common = ["train", "--data", try Self.mock.get(), "--steps", "20", "--batch", "4", "--warmup", "5", "--validate-every", "20",
                      "--workers", "1", "--backend", "reference"]
        let single = try CLI.run(common + ["--out", one])
        #expect(single.status == 0, "\(single.error)")
        let double = try MPI.run(ranks: 2, common + ["--out", two])
        #expect(double.status == 0, "\(double.output) \(double.error)")
        #expect(double.output.components(separatedBy: "finished at step 20").count == 2, "rank 0 alone reports: \(double.output)")
        func losses(_ run: String) throws -> [Double] {
            try String(contentsOfFile: run + "/log.jsonl", encoding: .utf8).split(separator: "\n").map {
                try #require((try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["loss"] as? Double)
            }
        }
        let a = try losses(one), b = try losses(two)
        #expect(a.count == 2 && b.count == 2)
        for (x, y) in zip(a, b) { #expect(abs(x - y) / abs(x) < 1e-4, "losses \(a) vs \(b)") }
        // A run checkpointed by two ranks at update 10 resumes in one process to the same place.
        let switched = scratch("switched")
        let first = try MPI.run(ranks: 2, common + ["--out", switched, "--until", "10"])
        #expect(first.status == 0 && first.output.contains("stopped at step 10 of 20"), "\(first.output) \(first.error)")
        let rest = try CLI.run(["train", "--resume", switched])
        #expect(rest.status == 0, "\(rest.error)")
        // The run says how each session was made: 2 ranks, then 1.
        let info = try CLI.setUp(["info", switched])
        #expect(info.contains("session 1, from step 0:") && info.contains("processes: 2 × ") && info.contains("(2 ranks)"), "\(info)")
        #expect(info.contains("session 2, from step 10:") && info.contains("processes: 1 × ") && info.contains("GalaxyNet 0.9.0"), "\(info)")
        let c = try losses(switched)
        for (x, y) in zip(a, c) { #expect(abs(x - y) / abs(x) < 1e-4, "losses \(a) vs \(c) after switching from 2 ranks to 1") }
        let wa = try safetensors(one + "/checkpoint/weights.safetensors")
        for other in [two, switched] {
            let wb = try safetensors(other + "/checkpoint/weights.safetensors")
            for (name, x) in wa {
                let y = try #require(wb[name])
                func rms(_ v: [Float]) -> Double { (v.map { Double($0) * Double($0) }.reduce(0, +) / Double(v.count)).squareRoot() }
                let relative = rms(zip(x, y).map { $0 - $1 }) / max(rms(x), 1e-12)
                #expect(relative < 1e-3, "\(name) of \(other): RMS difference \(relative) of the tensor's RMS")
            }
        }
    }

    /// One update's gradient sum alone, over 2 ranks; refused without a launcher.
    @Test func theGradientSumIsTimedUnderALauncherOnly() throws {
        let timed = try MPI.run(ranks: 2, ["bench", "gradient-sum", "--model", "small", "--repeats", "2"])
        #expect(timed.status == 0 && timed.output.contains("floats (4.4 MB) over 2 processes in buckets of 4194304 floats: median "), "\(timed.output) \(timed.error)")
        let alone = try CLI.run(["bench", "gradient-sum"])
        #expect(alone.status != 0 && alone.error.contains("mpirun -np 2"), "\(alone.error)")
    }

    @Test func shardsJoinIntoTheUnshardedPrediction() throws {
        let run = scratch("shard-run")
        let trained = try CLI.run(["train", "--data", try Self.mock.get(), "--steps", "2", "--out", run, "--workers", "1"])
        #expect(trained.status == 0, "\(trained.error)")
        let whole = scratch("whole") + ".csv", sharded = scratch("sharded") + ".csv", mpi = scratch("mpi") + ".csv"
        #expect(try CLI.run(["predict", "--run", run, "--tta", "1", "--out", whole]).status == 0)
        for i in 0..<3 { #expect(try CLI.run(["predict", "--run", run, "--tta", "1", "--out", sharded, "--shard", "\(i)/3"]).status == 0) }
        let again = try CLI.run(["predict", "--run", run, "--tta", "1", "--out", sharded, "--shard", "1/3"])
        #expect(again.output.contains("already written") && again.output.contains("reused"), "\(again.output)")
        let joined = try CLI.run(["join", "--out", sharded, "--shards", "3"])
        #expect(joined.status == 0 && joined.output.contains("joined 24 galaxies from 3 shards"), "\(joined.output) \(joined.error)")
        #expect(try String(contentsOfFile: sharded, encoding: .utf8) == String(contentsOfFile: whole, encoding: .utf8))
        let underMPI = try MPI.run(ranks: 2, ["predict", "--run", run, "--tta", "1", "--out", mpi])
        #expect(underMPI.status == 0 && underMPI.output.contains("joined 24 galaxies from 2 shards"), "\(underMPI.output) \(underMPI.error)")
        #expect(try String(contentsOfFile: mpi, encoding: .utf8) == String(contentsOfFile: whole, encoding: .utf8))
    }

    @Test func joinRefusesGapsAndOverlaps() throws {
        let run = scratch("gap-run")
        #expect(try CLI.run(["train", "--data", try Self.mock.get(), "--steps", "2", "--out", run, "--workers", "1"]).status == 0)
        let out = scratch("gap") + ".csv"
        #expect(try CLI.run(["predict", "--run", run, "--tta", "1", "--out", out, "--shard", "0/2"]).status == 0)
        let gap = try CLI.run(["join", "--out", out, "--shards", "2"])
        #expect(gap.status != 0 && gap.error.contains("shard 1/2 is missing"), "\(gap.error)")
        // Shard 1 made from shard 0's files: its record says which shard it is.
        let base = (out as NSString).deletingPathExtension
        for ext in ["csv", "npy", "json"] { try FileManager.default.copyItem(atPath: "\(base).shard-0-of-2.\(ext)", toPath: "\(base).shard-1-of-2.\(ext)") }
        let overlap = try CLI.run(["join", "--out", out, "--shards", "2"])
        #expect(overlap.status != 0 && overlap.error.contains("records shard 0/2, not 1/2"), "\(overlap.error)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing is written when the join fails")
    }
}
