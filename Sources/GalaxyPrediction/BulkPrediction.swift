import GalaxyCore
import Foundation
import GalaxyImaging
import GalaxyZoo

/// A catalogue run: which catalogue, which of its columns, where the table goes, in what chunks.
public struct CatalogueJob: Sendable {
    public var catalogue: String
    public var idColumn = "id", fileColumn = "file"
    /// The output table: `.csv` or `.fits`.
    public var out: String
    public var chunkSize = 4096
    /// This process's share of the chunks (chunk c belongs to shard c mod N); nil: all.
    public var shard: Shard?
    public var workers = 2

    public init(catalogue: String, out: String) { self.catalogue = catalogue; self.out = out }

    /// Where the chunks, their errors and the run's state live until the table is assembled.
    public var partsFolder: String { out + ".parts" }
    public func chunkFile(_ chunk: Int) -> String { partsFolder + String(format: "/chunk-%06d.csv", chunk) }
    public func chunkErrors(_ chunk: Int) -> String { partsFolder + String(format: "/chunk-%06d.errors.csv", chunk) }
    /// Every failed row with its reason, assembled from the chunks.
    public var errorsFile: String { (out as NSString).deletingPathExtension + ".errors.csv" }

    /// Checks the output before any work: a known extension, an existing writable folder.
    public func validateOutput() throws {
        let ext = (out as NSString).pathExtension.lowercased(), folder = (out as NSString).deletingLastPathComponent
        guard ext == "csv" || ext == "fits" else { throw CatalogueError(file: out, reason: "the output must end in .csv or .fits") }
        let directory = folder.isEmpty ? "." : folder
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw CatalogueError(file: out, reason: "the folder \(directory) does not exist or is not writable")
        }
    }
}

/// What a catalogue run did.
public struct BulkSummary: Sendable {
    public var predicted = 0, skipped = 0, failed = 0, chunks = 0
    /// Whether every chunk was present and the table was assembled.
    public var assembled = false
}

/// Predicts a catalogue of any length in chunks: each chunk's rows are predicted (failures
/// recorded with their reason, the run goes on) and written atomically as one part file, so a
/// rerun skips finished chunks; when every chunk is present the parts are assembled into the
/// output table (and the failures into one errors file). Memory holds one chunk at a time.
public struct BulkPrediction {
    public let predictor: Predictor
    public let job: CatalogueJob
    public let reader: ImageReader

    public init(predictor: Predictor, job: CatalogueJob, reader: ImageReader) {
        self.predictor = predictor; self.job = job; self.reader = reader
    }

    /// The output's column names for a catalogue with `columns`.
    public static func outputColumns(catalogue columns: [String], id: Int, file: Int) -> [String] {
        let carried = columns.indices.filter { $0 != id && $0 != file }.map { columns[$0] }
        return [columns[id]] + carried + DecisionTree.columnNames + DecisionTree.columnNames.map { $0 + "_spread" } + ["tta_spread", "likeliest_path"]
    }

    /// Runs this process's chunks; `assemble` lets it put the table together when all are done.
    public func run(assemble: Bool = true, progress: (String) -> Void) throws -> BulkSummary {
        try job.validateOutput()
        try FileManager.default.createDirectory(atPath: job.partsFolder, withIntermediateDirectories: true)
        let total = try Self.rowCount(job.catalogue)
        let catalogue = try CatalogueReader(job.catalogue)
        let id = try catalogue.column(job.idColumn, role: "ID"), file = try catalogue.column(job.fileColumn, role: "file")
        let base = (job.catalogue as NSString).deletingLastPathComponent
        var summary = BulkSummary(), chunk = 0, mine = 0
        let chunks = (total + job.chunkSize - 1) / job.chunkSize
        let start = Date()
        while case let rows = try catalogue.next(job.chunkSize), !rows.isEmpty {
            defer { chunk += 1 }
            guard job.shard.map({ chunk % $0.count == $0.index }) ?? true else { continue }
            mine += 1
            if FileManager.default.fileExists(atPath: job.chunkFile(chunk)) { summary.skipped += rows.count; continue }
            let first = catalogue.rowsRead - rows.count
            let (lines, errors) = predict(rows, firstRow: first, id: id, file: file, base: base)
            try FileOutput.write(errors.joined(), to: job.chunkErrors(chunk))
            try FileOutput.write(lines.joined(), to: job.chunkFile(chunk))
            summary.predicted += lines.count
            summary.failed += errors.count
            let done = summary.predicted + summary.failed, elapsed = Date().timeIntervalSince(start)
            let rate = Double(done) / max(elapsed, 1e-9), left = total / (job.shard?.count ?? 1) - done - summary.skipped
            progress(String(format: "chunk %d of %d: %d rows predicted, %d failed, %d skipped; %.1f rows/s, ETA %.0f s",
                            chunk + 1, chunks, summary.predicted, summary.failed, summary.skipped, rate, Double(max(left, 0)) / max(rate, 1e-9)))
        }
        summary.chunks = mine
        if assemble { summary.assembled = try Self.assembleIfComplete(job, rows: total) }
        return summary
    }

    /// Assembles the output table and errors file when every chunk of `job`'s catalogue is done.
    /// `rows` is the catalogue's row count when the caller has it already.
    public static func assembleIfComplete(_ job: CatalogueJob, rows: Int? = nil) throws -> Bool {
        let total = try rows ?? rowCount(job.catalogue)
        let chunks = (total + job.chunkSize - 1) / job.chunkSize
        guard (0..<chunks).allSatisfy({ FileManager.default.fileExists(atPath: job.chunkFile($0)) }) else { return false }
        let catalogue = try CatalogueReader(job.catalogue)
        let id = try catalogue.column(job.idColumn, role: "ID"), file = try catalogue.column(job.fileColumn, role: "file")
        try CatalogueOutput.assemble(job, chunks: chunks, columns: outputColumns(catalogue: catalogue.columns, id: id, file: file))
        return true
    }

    /// The output lines of the rows that could be predicted and the error lines of the others.
    func predict(_ rows: [[String]], firstRow: Int, id: Int, file: Int, base: String) -> (lines: [String], errors: [String]) {
        let paths = rows.map { row in row[file].hasPrefix("/") ? row[file] : (base as NSString).appendingPathComponent(row[file]) }
        let centred = predictor.model.configuration.centred, reader = self.reader
        // A bad file fails its own row only: extraction and prediction both report per row.
        let extractions: [Result<SourceExtraction, Error>]? = centred ? paths.map { p in Result { SourceExtractor.extract(try Self.checked(reader.read(p), p)) } } : nil
        let checkedReader = ImageReader(formats: reader.formats.map { format in
            ImageFormat(name: format.name, extensions: format.extensions) { path, half in try Self.checked(format.read(path, half), path) }
        })
        let usable = paths.indices.filter { (try? extractions?[$0].get()) != nil || extractions == nil }
        let results = predictor.predictions(paths: usable.map { paths[$0] }, extractions: extractions.map { e in usable.map { try! e[$0].get() } },
                                            workers: job.workers, reader: checkedReader)
        var outcome = [Result<Prediction, Error>?](repeating: nil, count: rows.count)
        for (k, i) in usable.enumerated() { outcome[i] = results[k] }
        var lines: [String] = [], errors: [String] = []
        for (i, row) in rows.enumerated() {
            let result = outcome[i] ?? .failure(extractions.flatMap { e -> Error? in if case .failure(let x) = e[i] { x } else { nil } }
                                                ?? CatalogueError(file: paths[i], reason: "not predicted"))
            switch result {
            case .success(let p):
                let carried = row.indices.filter { $0 != id && $0 != file }.map { CatalogueReader.quoted(row[$0]) }
                let rms = (p.spread.map { $0 * $0 }.reduce(0, +) / Float(p.spread.count)).squareRoot()
                let fields = [CatalogueReader.quoted(row[id])] + carried + (p.answers + p.spread + [rms]).map { KaggleCSV.format($0) }
                    + [CatalogueReader.quoted(DecisionTree.describePath(p.answers))]
                lines.append(fields.joined(separator: ",") + "\n")
            case .failure(let error):
                errors.append([String(firstRow + i + 1), row[id], row[file], "\(error)"].map(CatalogueReader.quoted).joined(separator: ",") + "\n")
            }
        }
        return (lines, errors)
    }

    /// The network was trained on 424×424 images: other sizes are refused (FITS cutouts are
    /// resampled on reading, so only JPEGs can fail here).
    static func checked(_ image: any SourceImage, _ path: String) throws -> any SourceImage {
        let size = ViewTransform.imageSize
        guard image.width == size && image.height == size else {
            throw ImageError(file: path, reason: "image is \(image.width)×\(image.height), expected \(size)×\(size) (give a FITS cutout with its pixel scale instead)")
        }
        return image
    }

    /// Rows in a catalogue, counted in one streaming pass.
    static func rowCount(_ path: String) throws -> Int {
        let reader = try CatalogueReader(path)
        if let rows = reader.tableRows { return rows }
        var count = 0
        while case let rows = try reader.next(8192), !rows.isEmpty { count += rows.count }
        return count
    }
}
