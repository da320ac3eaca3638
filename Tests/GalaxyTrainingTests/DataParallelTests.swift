import Foundation
import Testing
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyKernels
import GalaxyZoo
import GalaxyNetwork
import GalaxyTraining

/// Pretends to be rank 0 of two processes whose replicas disagree: sums are this rank's values,
/// and the other rank's checksum differs.
final class DivergingGroup: ProcessGroup {
    var rank: Int { 0 }
    var size: Int { 2 }
    func sum(_ values: inout [Double]) {}
    func gather(_ value: UInt64) -> [UInt64] { [value, value ^ 1] }
    func gradientSum(count: Int) -> GradientSum { Passthrough(count: count) }

    final class Passthrough: GradientSum {
        var gradients: [Tensor?]
        init(count: Int) { gradients = Array(repeating: nil, count: count) }
        func ready(_ index: Int, _ gradient: Tensor) { gradients[index] = gradient }
        func finish() -> [Tensor] { gradients.map { $0! } }
    }
}

@Suite("Data parallelism")
struct DataParallelTests {
    @Test func ranksSplitEveryBatchIntoContiguousShares() {
        for size in 1...5 {
            for batch in [size, 7, 16] {
                let shares = (0..<size).map { rank in SlotsProbe(rank: rank, size: size).slots(ofBatch: batch) }
                #expect(shares.first?.lowerBound == 0 && shares.last?.upperBound == batch)
                #expect(zip(shares, shares.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(shares.map(\.count).max()! - shares.map(\.count).min()! <= 1)
            }
        }
    }

    @Test func anExampleDrawsTheSameDropoutMaskWhateverItsBatch() {
        let streams = (0..<4).map { SeededGenerator(seed: 9, stream: 3, 7, UInt64($0)) }
        let x = Variable(Tensor(repeating: 1, shape: [4, 50]))
        var all = streams, lastTwo = Array(streams[2...])
        let whole = x.dropout(rate: 0.5, training: true, examples: &all).value.scalars
        let part = Variable(Tensor(repeating: 1, shape: [2, 50])).dropout(rate: 0.5, training: true, examples: &lastTwo).value.scalars
        #expect(Array(whole[100...]) == part)
    }

    @Test func theLinearScalingRuleRampsFromTheOriginalRate() {
        var options = TrainingOptions(steps: 1000)
        options.scaleLearningRates(forBatch: 64, rampSteps: 100)
        #expect(options.batchSize == 64 && options.learningRates == [0.16, 0.016, 0.0016])
        #expect(abs(options.learningRate(at: 0) - 0.04) < 1e-7)
        #expect(abs(options.learningRate(at: 50) - 0.1) < 1e-6)
        #expect(options.learningRate(at: 100) == 0.16 && options.learningRate(at: 800) == 0.016)
        var original = TrainingOptions(steps: 1000)
        original.scaleLearningRates(forBatch: 16, rampSteps: 100)
        #expect(original.learningRateRamp == nil && original.learningRate(at: 0) == 0.04)
    }

    @Test func divergedReplicasStopTheRun() throws {
        let dataset = try KaggleDataset(root: sharedMock)
        var options = TrainingOptions(steps: DataParallelUpdate.replicaCheckEvery + 5)
        options.batchSize = 2
        options.workers = 1
        let trainer = try Trainer(dataset: dataset, configuration: ModelConfiguration.builtIn.first { $0.name == "small" }!, options: options,
                                  run: RunFolder(scratch("diverged")), backend: OneDNNBackend.sharedFast, group: DivergingGroup(), progress: { _ in })
        let error = try #require(throws: TrainingError.self) { _ = try trainer.train() }
        #expect(error.description.contains("weights differ at step \(DataParallelUpdate.replicaCheckEvery)"), "\(error)")
    }
}

/// A process group that only answers rank and size, for the slot arithmetic.
final class SlotsProbe: ProcessGroup {
    let rank: Int, size: Int
    init(rank: Int, size: Int) { self.rank = rank; self.size = size }
    func sum(_ values: inout [Double]) {}
    func gather(_ value: UInt64) -> [UInt64] { [value] }
    func gradientSum(count: Int) -> GradientSum { DivergingGroup.Passthrough(count: count) }
}

@Suite("Run folders")
struct RunFolderTests {
    @Test func aSecondTrainerOnTheSameFolderIsRefusedAndAUsersFolderIsNotOverwritten() throws {
        let dataset = try KaggleDataset(root: sharedMock)
        let small = ModelConfiguration.builtIn.first { $0.name == "small" }!
        var options = TrainingOptions(steps: 4)
        options.workers = 1
        let run = RunFolder(scratch("locked"))
        do {
            let first = try Trainer(dataset: dataset, configuration: small, options: options, run: run, backend: OneDNNBackend.sharedFast, progress: { _ in })
            _ = try first.train(until: 2)
            let second = try #require(throws: CheckpointError.self) {
                _ = try Trainer(dataset: dataset, configuration: small, options: options, run: run, backend: OneDNNBackend.sharedFast, resume: true, progress: { _ in })
            }
            #expect(second.description.contains("another process is training"), "\(second)")
            withExtendedLifetime(first) {}
        }
        // Once the first is gone, the run resumes.
        let resumed = try Trainer(dataset: dataset, configuration: small, options: options, run: run, backend: OneDNNBackend.sharedFast, resume: true, progress: { _ in })
        #expect(resumed.step == 2)
        // A folder holding something else is not a place for a new run.
        let mine = scratch("users-folder")
        try FileManager.default.createDirectory(atPath: mine, withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: URL(fileURLWithPath: mine + "/notes.txt"))
        let refused = try #require(throws: CheckpointError.self) {
            _ = try Trainer(dataset: dataset, configuration: small, options: options, run: RunFolder(mine), backend: OneDNNBackend.sharedFast, progress: { _ in })
        }
        #expect(refused.description.contains("not empty") && FileManager.default.contents(atPath: mine + "/notes.txt") == Data("notes".utf8))
    }
}
