import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyModels
import GalaxyPrediction
import GalaxySimilarity
import GalaxyTraining

/// `galaxynet embed`: a hidden layer's activations per galaxy, as a catalogue run.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed",
        abstract: "Embeddings: a hidden layer's activations per galaxy, averaged over the test-time views, keyed by ID (E.npy with E.ids.npy, or .csv/.fits with the catalogue's columns).",
        discussion: """
        The run is a catalogue prediction that keeps a layer instead of the answers: chunked, \
        resumable (OUT.parts/), shardable (--shard i/N, mpirun) like `predict --catalog`. \
        --pca K fits K principal components on every row when the table is assembled, prints the \
        variance they explain and saves them as OUT.pca.safetensors; --pca-from projects later \
        batches with a saved one, so their coordinates are comparable.
        """)

    @Option(name: [.customLong("run"), .customLong("model")], help: "Run directory with a checkpoint, or a model file (NAME.gnm).") var runPath: String
    @Option(help: "Folder of <ID>.jpg images to embed.") var images: String?
    @OptionGroup var catalogue: CatalogueInputOptions
    @OptionGroup var fits: FITSOptionGroup
    @Option(help: "The hidden layer: features, part_denseN or denseN (default: the last, which the output layer reads).") var layer: String?
    @Option(help: "Project onto this many principal components, fitted on these rows.") var pca: Int?
    @Option(help: "Project with the components an earlier run saved (OUT.pca.safetensors).") var pcaFrom: String?
    @OptionGroup var augmentation: TTAOptions
    @Option(help: "The table: .npy (float32 [rows, dimensions], IDs in NAME.ids.npy), .csv or .fits (with the catalogue's other columns).") var out: String
    @Option(help: "Embed only shard i of N of the chunks; under mpirun the rank's shard is taken.") var shard: Shard?
    @Option(help: "Worker threads for decoding and warping.") var workers = 2
    @OptionGroup var compute: BackendOptions

    func validate() throws {
        guard (catalogue.catalog == nil) != (images == nil) else { throw ValidationError("give --catalog or --images") }
        guard pca == nil || pcaFrom == nil else { throw ValidationError("give --pca or --pca-from, not both") }
        if let pca, pca < 1 { throw ValidationError("--pca must be a positive number of components") }
        guard catalogue.chunk > 0 else { throw ValidationError("--chunk must be positive") }
        try OutputPath.check(out, extensions: ["npy", "csv", "fits"], inputs: [catalogue.catalog, images, pcaFrom, runPath].compactMap { $0 })
    }

    func run() throws {
        var job = try catalogue.job(catalogue.catalog ?? "", out: out, workers: workers, fits: fits, compute: compute)
        job.embedding = EmbeddingRequest(layer: layer, pca: pca.map { .fit(components: $0) } ?? pcaFrom.map { .from(file: $0) } ?? .none)
        if let images { try job.useImages(in: images) }
        guard let summary = try CatalogueRun.run(job, model: RunFolder(runPath).model, compute: compute, tta: augmentation.tta,
                                                 shard: shard, verb: "embedded"), summary.assembled else { return }
        if (out as NSString).pathExtension.lowercased() == "npy" {
            print("IDs in \(Embeddings.idFile(for: out)); the catalogue's other columns are only in a .csv or .fits output")
        }
        if pca != nil {
            let fitted = try PCA(file: job.pcaFile)
            var cumulative: Float = 0
            print("principal components saved to \(job.pcaFile) (give --pca-from \(job.pcaFile) to project later batches the same way):")
            for (c, ratio) in fitted.explainedVarianceRatio.enumerated() {
                cumulative += ratio
                if c < 10 || c == fitted.count - 1 { print(String(format: "  pca_%-3d explains %6.2f %%  (cumulative %6.2f %%)", c, 100 * ratio, 100 * cumulative)) }
            }
        }
    }
}
