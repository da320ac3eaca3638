import ArgumentParser
import Foundation
import GalaxyTensor
import GalaxyImaging
import GalaxyModels
import GalaxyZoo
import GalaxyTraining
import GalaxyPrediction
import GalaxyDistributed
import GalaxyMock

/// `galaxynet join`.
struct JoinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "join",
        abstract: "Join the shards of a bulk prediction into one Kaggle CSV and .npy sorted by GalaxyID (refuses gaps and overlaps).")

    @OptionGroup var output: PredictionOutput
    @Option(help: "Number of shards N (the files OUT.shard-i-of-N.csv).") var shards: Int
    @OptionGroup var decisionTree: TreeOptions

    func validate() throws {
        guard shards > 0 else { throw ValidationError("--shards must be positive") }
        try output.check(inputs: (0..<shards).map { Shard(index: $0, count: shards).file(for: output.out) })
    }

    func run() throws {
        // Joining computes nothing: the model and the views come from the shards' records.
        let provenance = Provenance(backend: "none (joins shards)", kernels: nil, threadsPerProcess: 1)
        let rows = try ShardSet.join(out: output.out, count: shards, tree: try decisionTree.tree, provenance: provenance)
        print("joined \(rows) galaxies from \(shards) shards into \(output.out) and \(PredictionFiles.npyPath(for: output.out))")
    }
}
