import ArgumentParser
import Foundation
import GalaxyImaging
import GalaxyModels
import GalaxyDistributed
import GalaxyPrediction

/// `--catalog`, its ID and image columns and its chunks: the input of a catalogue run (`predict`, `embed`).
struct CatalogueInputOptions: ParsableArguments {
    @Option(help: "A catalogue: CSV with a header row, or a FITS binary table (.fits); file paths relative to it.")
    var catalog: String?
    @Option(help: "The catalogue's ID column.") var idColumn = "id"
    @Option(help: "The catalogue's image column (JPEG, FITS; \"cutout-{band}.fits\" names three g, r, i files).") var fileColumn = "file"
    @Option(help: "Rows per chunk: each chunk is written as it finishes, and a rerun skips finished chunks.") var chunk = 4096

    /// The catalogue job these options describe (columns of the output are the caller's).
    func job(_ path: String, out: String, workers: Int, fits: FITSOptionGroup, compute: BackendOptions) throws -> CatalogueJob {
        var job = CatalogueJob(catalogue: path, out: out)
        job.idColumn = idColumn
        job.fileColumn = fileColumn
        job.chunkSize = chunk
        job.workers = workers
        job.rendering = try fits.options
        job.provenance = compute.provenance()
        return job
    }
}

/// `--catalog` and the columns of the table `predict` writes.
struct CatalogueOptions: ParsableArguments {
    @OptionGroup var input: CatalogueInputOptions
    @Option(help: "Columns of the table, as GZ DESI's two files: friendly (fractions, spreads, path; a vote-count model adds 90 % intervals and proportion asked) or advanced (also concentrations and, with --volunteers, expected votes).")
    var columns: CatalogueColumns = .friendly
    @Option(help: "Volunteers for the expected-votes columns of --columns advanced (a vote-count model).") var volunteers: Int?

    var catalog: String? { input.catalog }
    var chunk: Int { input.chunk }
}

extension CatalogueColumns: ExpressibleByArgument {}

/// How FITS cutouts are rendered (the Lupton et al. asinh stretch and the pixel scale).
struct FITSOptionGroup: ParsableArguments {
    @Option(help: "Asinh softening Q.") var luptonQ: Float = 8
    @Option(help: "Asinh linear stretch β (fluxes well below it are shown linearly), in the cutouts' flux units.") var luptonStretch: Float = 0.5
    @Option(help: "Flux subtracted before the stretch (sky level).") var luptonMinimum: Float = 0
    @Option(help: "For sky-subtracted cutouts: the black level this many noise σ below each cutout's own sky, instead of --lupton-minimum (2 keeps the noise from clipping at black).")
    var blackBelowSky: Float?
    @Option(help: "Multipliers of the g, r, i fluxes, \"g,r,i\".") var bandScales = "1,1,1"
    @Option(help: "The cutouts' pixel scale in arcseconds (default: from the WCS keywords).") var pixelScale: Double?

    var options: FITSOptions {
        get throws {
            var o = FITSOptions()
            o.q = luptonQ; o.stretch = luptonStretch; o.minimum = luptonMinimum; o.pixelScale = pixelScale; o.blackBelowSky = blackBelowSky
            if let blackBelowSky, !(blackBelowSky > 0 && blackBelowSky.isFinite) { throw ValidationError("--black-below-sky must be a positive number of σ") }
            let scales = bandScales.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard scales.count == 3, scales.allSatisfy({ $0 > 0 }) else { throw ValidationError("--band-scales must be three positive numbers \"g,r,i\"") }
            guard luptonQ > 0, luptonStretch > 0 else { throw ValidationError("--lupton-q and --lupton-stretch must be positive") }
            if let pixelScale, !FITSOptions.plausiblePixelScales.contains(pixelScale) {
                throw ValidationError("--pixel-scale \(pixelScale) is not a plausible cutout pixel scale (0.01 to 30 arcseconds per pixel)")
            }
            o.bandScales = scales
            return o
        }
    }

    var reader: ImageReader { get throws { ImageReader(fits: try options) } }
}

extension PredictCommand {
    /// `predict --catalog`: chunks, resumable; under mpirun each rank takes every N-th chunk,
    /// the summary counts every rank's rows, and rank 0 assembles the table when all are done.
    func predictCatalogue(_ path: String, model: ModelFolder) throws {
        var job = try catalogue.input.job(path, out: output.out, workers: workers, fits: fits, compute: compute)
        job.columns = catalogue.columns
        if let volunteers = catalogue.volunteers {
            guard volunteers > 0 else { throw ValidationError("--volunteers must be a positive number of volunteers") }
            job.volunteers = volunteers
        }
        try CatalogueRun.run(job, model: model, compute: compute, tta: augmentation.tta, shard: shard, verb: "predicted")
    }
}

/// Runs a catalogue job (predictions or embeddings) in this process or as one of the MPI ranks,
/// and reports it.
enum CatalogueRun {
    @discardableResult
    static func run(_ job: CatalogueJob, model: ModelFolder, compute: BackendOptions, tta: TestTimeAugmentation, shard: Shard?,
                    verb: String) throws -> BulkSummary? {
        var job = job
        let peers: (any ShardPeers)?
        (job.shard, peers) = Launcher.shard(asked: shard)
        let bulk = try BulkPrediction(folder: model, backend: compute.backend.backend, tta: tta, job: job)
        let log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let summary: BulkSummary
        if let peers {
            guard let all = try bulk.run(peers: peers, progress: log) else { return nil }   // rank 0 reports for all
            summary = all
        } else {
            summary = try bulk.run(assemble: job.shard == nil, progress: log)
        }
        print("\(summary.predicted + summary.retried) \(verb) (\(summary.retried) of them failed before), \(summary.reused) reused from finished chunks, "
              + "\(summary.failed) failed" + (summary.failed > 0 ? " (listed in \(job.errorsFile) after assembly; a rerun tries them again)" : ""))
        if summary.assembled {
            print("wrote \(job.out) and \(job.errorsFile)")
        } else {
            print("this process's chunks are done; run the same command without --shard when every shard has finished to assemble \(job.out)")
        }
        if summary.predicted + summary.retried + summary.reused == 0 && bulk.rows > 0 {
            throw BulkError(reason: "no row of \(job.catalogue) could be \(verb) (\(summary.failed) failed); the reasons are in "
                            + (summary.assembled ? job.errorsFile : job.partsFolder))
        }
        return summary
    }
}
