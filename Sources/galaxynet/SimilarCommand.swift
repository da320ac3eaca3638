import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyKernels
import GalaxySimilarity
import GalaxyPrediction
import GalaxyTraining

/// `--montage` and where the galaxies' images are, for `similar` and `anomalies`.
struct MontageOptions: ParsableArguments {
    @Option(help: "Also draw the galaxies found as a PNG grid, each captioned with its ID and score.") var montage: String?
    @Option(name: .customLong("montage-images"), help: "With --montage: the folder of <ID>.jpg images.") var images: String?
    @Option(name: .customLong("montage-catalog"), help: "With --montage: a catalogue (CSV or FITS) whose ID and file columns locate the images.") var catalog: String?
    @Option(name: .customLong("montage-id-column"), help: "The ID column of --montage-catalog.") var idColumn = "id"
    @Option(name: .customLong("montage-file-column"), help: "The image column of --montage-catalog.") var fileColumn = "file"

    func check(inputs: [String]) throws {
        guard let montage else { return }
        guard (images == nil) != (catalog == nil) else { throw ValidationError("--montage needs --montage-images DIR or --montage-catalog FILE") }
        try OutputPath.check(montage, extensions: ["png"], inputs: inputs + [images, catalog].compactMap { $0 })
    }

    /// Draws `cells` when a montage was asked for.
    func draw(_ cells: [(id: Int64, caption: String)], columns: Int) throws {
        guard let montage else { return }
        let lookup = try images.map(ImageLookup.init(folder:)) ?? ImageLookup(catalogue: catalog!, idColumn: idColumn, fileColumn: fileColumn)
        let failures = try Montage.write(cells, images: lookup, columns: columns, to: montage)
        print("wrote \(montage)" + (failures.isEmpty ? "" : " (\(failures.count) image\(failures.count == 1 ? "" : "s") could not be read, drawn grey: \(failures[0])\(failures.count > 1 ? "; …" : ""))"))
    }
}

/// `galaxynet similar`: exact cosine neighbours in a table of embeddings.
struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "similar",
        abstract: "Exact cosine neighbours in a table of embeddings (E.npy, float32 [rows, dimensions], IDs in E.ids.npy): of one galaxy (--id), or of every row (--all, a resumable table).",
        discussion: "The search multiplies the queries by the table block by block through BLAS (FAISS's IndexFlatIP on unit vectors); the table is memory-mapped, so memory does not grow with its rows.")

    @Option(help: "Embeddings: a .npy of float32 [rows, dimensions] (IDs in NAME.ids.npy beside it, else row numbers).") var embeddings: String
    @Option(help: "The ID whose neighbours to list (repeat for several).") var id: [Int64] = []
    @Option(help: "An image (JPEG or FITS) whose neighbours to list, embedded by --run as `embed` made the table.") var image: String?
    @Option(name: [.customLong("run"), .customLong("model")], help: "With --image: the run or model file that made the embeddings.") var runPath: String?
    @Option(help: "With --image: the layer the table holds (default: the last hidden layer).") var layer: String?
    @Option(help: "With --image: the projection the table was made with (default: E.pca.safetensors beside the table, when there).") var pcaFrom: String?
    @OptionGroup var augmentation: TTAOptions
    @Flag(help: "Every row's neighbours, into --out.") var all = false
    @Option(name: .short, help: "Neighbours per query.") var k = 20
    @Option(help: "With --all: the table to write (.csv or .fits); OUT.parts/ keeps finished chunks for a rerun.") var out: String?
    @OptionGroup var montage: MontageOptions

    func validate() throws {
        guard k > 0 else { throw ValidationError("-k must be positive") }
        guard [all, !id.isEmpty, image != nil].filter({ $0 }).count == 1 else { throw ValidationError("give --id (one or more), --image or --all") }
        guard (image == nil) == (runPath == nil) else { throw ValidationError("--image needs --run (the run that made the embeddings), and --run is for --image") }
        if all {
            guard let out else { throw ValidationError("--all writes a table: give --out NAME.csv or NAME.fits") }
            try OutputPath.check(out, extensions: ["csv", "fits"], inputs: [embeddings, Embeddings.idFile(for: embeddings)])
        }
        guard montage.montage == nil || !all else { throw ValidationError("--montage draws the neighbours of --id, not of --all") }
        try montage.check(inputs: [embeddings])
    }

    func run() throws {
        let table = try Embeddings(embeddings)
        let search = NeighbourSearch(table, backend: OneDNNBackend.sharedFast)
        if all, let out {
            let (computed, reused) = try AllNeighbours(search, k: k).run(out: out, progress: Progress("neighbours").callAsFunction)
            return print("wrote \(out): \(k) neighbours of each of \(table.rows) rows (\(computed) chunks computed, \(reused) reused)")
        }
        if let image, let runPath { return try searchImage(image, run: runPath, search: search) }
        let rows = try id.map { try table.row(of: $0) }
        // All the IDs in one search: up to four share one pass over the table.
        var cells: [(id: Int64, caption: String)] = []
        for (row, found) in zip(rows, search.nearest(toRows: rows, k: k)) {
            print("neighbours of \(table.ids[row]) (row \(row)):")
            for (rank, n) in found.enumerated() { print(String(format: "%4d  %lld  %.6f", rank + 1, table.ids[n.row], n.similarity)) }
            // One line per query: the query, then its neighbours with their cosine.
            cells += [(table.ids[row], "query")] + found.map { (table.ids[$0.row], String(format: "%.4f", $0.similarity)) }
        }
        try montage.draw(cells, columns: k + 1)
    }
}

extension SimilarCommand {
    /// Neighbours of an image not in the table: embedded by the run (and the table's saved
    /// projection, found beside it unless given), then searched like a row.
    func searchImage(_ image: String, run: String, search: NeighbourSearch) throws {
        let beside = (embeddings as NSString).deletingPathExtension + ".pca.safetensors"
        let projection = try (pcaFrom ?? (FileManager.default.fileExists(atPath: beside) ? beside : nil)).map { try PCA(file: $0) }
        let vector = try ImageEmbedding.vector(of: image, folder: RunFolder(run).model, backend: OneDNNBackend.sharedFast, tta: augmentation.tta,
                                               layer: layer, projection: projection)
        let found = try search.nearest(to: [vector], k: k)[0], ids = search.embeddings.ids
        print("neighbours of \(image):")
        for (rank, n) in found.enumerated() { print(String(format: "%4d  %lld  %.6f", rank + 1, ids[n.row], n.similarity)) }
        try montage.draw(found.map { (ids[$0.row], String(format: "%.4f", $0.similarity)) }, columns: min(k, 10))
    }
}

/// `galaxynet anomalies`: the rows with the fewest look-alikes.
struct AnomaliesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "anomalies",
        abstract: "Rank a table of embeddings by oddness: the distance (1 − cosine) to each row's k-th nearest neighbour, highest first.",
        discussion: "Every row's neighbours are computed once, in resumable chunks kept in OUT.parts/; a rerun with another --top reuses them.")

    @Option(help: "Embeddings: a .npy of float32 [rows, dimensions] (IDs in NAME.ids.npy beside it, else row numbers).") var embeddings: String
    @Option(help: "Rows to list.") var top = 50
    @Option(name: .short, help: "The neighbour whose distance is the score.") var k = 10
    @Option(help: "The ranking (.csv or .fits).") var out: String
    @OptionGroup var montage: MontageOptions

    func validate() throws {
        guard top > 0, k > 0 else { throw ValidationError("--top and -k must be positive") }
        try OutputPath.check(out, extensions: ["csv", "fits"], inputs: [embeddings, Embeddings.idFile(for: embeddings)])
        try montage.check(inputs: [embeddings, out])
    }

    func run() throws {
        let table = try Embeddings(embeddings)
        let ranking = Anomalies(AllNeighbours(NeighbourSearch(table, backend: OneDNNBackend.sharedFast), k: k))
        let entries = try ranking.rank(top: top, parts: AllNeighbours.partsFolder(for: out), progress: Progress("neighbours").callAsFunction)
        try ranking.write(entries, to: out)
        print("wrote \(out): the \(entries.count) of \(table.rows) rows farthest from their \(k)th neighbour")
        for (i, a) in entries.prefix(10).enumerated() { print(String(format: "%4d  %lld  score %.4f", i + 1, table.ids[a.row], a.score)) }
        try montage.draw(entries.map { (table.ids[$0.row], String(format: "%.4f", $0.score)) }, columns: 10)
    }
}
