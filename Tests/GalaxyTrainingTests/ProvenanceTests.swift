import Foundation
import Testing
import GalaxyCore
import GalaxyTraining
import GalaxyLayers

/// How a run says how it was made: the records themselves, closed form (the CLI tests check what
/// `train`, `predict` and `info` write and print).
@Suite("provenance")
struct ProvenanceTests {
    @Test func slurmVariablesNameTheJobAndTheArrayTask() {
        let plain = Provenance(backend: "reference", kernels: nil, threadsPerProcess: 1, environment: [:])
        #expect(plain.batchJob == nil)
        let job = Provenance(backend: "reference", kernels: nil, threadsPerProcess: 1, environment: ["SLURM_JOB_ID": "41"])
        #expect(job.batchJob == "slurm job 41")
        let task = Provenance(backend: "reference", kernels: nil, threadsPerProcess: 1,
                              environment: ["SLURM_JOB_ID": "44", "SLURM_ARRAY_JOB_ID": "40", "SLURM_ARRAY_TASK_ID": "3"])
        #expect(task.batchJob == "slurm job 40 (array task 3)")
    }

    @Test func aRecordReadsBackAndPrintsWhatItHolds() throws {
        var p = Provenance(backend: "onednn", kernels: .init(oneDNNVersion: "2.6.3", oneDNNISA: "avx2", blasLibrary: "libopenblas.so.0",
                                                               blasCore: "Haswell", blasThreading: "openmp", blasThreads: 2),
                           threadsPerProcess: 2, inputs: ["labels": "1c0ffee"], environment: [:])
        p.processes = 3
        p.hosts = ["a", "b", "a"]
        p.testTimeViews = 8
        let file = scratch("provenance") + ".json"
        try p.json.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try Provenance.read(Provenance.self, from: file) == p)
        let lines = p.description
        #expect(lines.contains("processes: 3 × 2 threads on a (2 ranks), b (1 rank)"), "\(lines)")
        #expect(lines.contains("kernels: oneDNN 2.6.3 (ISA avx2); BLAS libopenblas.so.0 (Haswell, openmp, 2 threads)"), "\(lines)")
        #expect(lines.contains("labels: CRC-32 1c0ffee") && lines.contains("test-time views: 8"), "\(lines)")
        #expect(lines[0].hasPrefix("GalaxyNet \(GalaxyNetBuild.version), source "), "\(lines)")
        try "[]".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: OutputError.self) { try Provenance.read(Provenance.self, from: file) }
    }

    @Test func hostNamesTravelThroughTheGatherIntact() {
        #expect(SingleProcess().gather(text: "node-17.cluster.example") == ["node-17.cluster.example"])
        #expect(SingleProcess().gather(text: String(repeating: "x", count: 70)) == [String(repeating: "x", count: 64)])
        #expect(SingleProcess().gather(text: "") == [""])
    }

    /// `Checksum.hex` writes no leading zeros, so one label file in sixteen has a 7-digit CRC-32;
    /// data.txt must read it back (it once refused it, and such runs could not resume).
    @Test func aChecksumWithALeadingZeroReadsBack() throws {
        let run = RunFolder(scratch("run-dataset"))
        try FileManager.default.createDirectory(atPath: run.path, withIntermediateDirectories: true)
        try "/data/mock\nlabels-crc32 d01d328\n".write(toFile: run.datasetFile, atomically: true, encoding: .utf8)
        #expect(try run.recordedDataset().labelsChecksum == "d01d328")
        try "/data/mock\nlabels-crc32 d01d3281f\n".write(toFile: run.datasetFile, atomically: true, encoding: .utf8)
        #expect(throws: CheckpointError.self) { try run.recordedDataset() }
    }
}
