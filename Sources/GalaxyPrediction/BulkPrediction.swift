import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyImaging
import GalaxyModels
import GalaxyZoo

/// What a catalogue run did (this process's share, or every rank's when summed).
public struct BulkSummary: Sendable {
    /// Rows predicted now, rows reused from finished parts, failed rows predicted again now, rows
    /// that failed (and will be tried again by a rerun), this process's chunks.
    public var predicted = 0, reused = 0, retried = 0, failed = 0, chunks = 0
    /// Whether every chunk was present and the table was assembled.
    public var assembled = false

    /// The counts as numbers, to sum over MPI ranks; `init(counts:)` reads them back.
    public var counts: [Double] { [predicted, reused, retried, failed, chunks].map(Double.init) }
    public init() {}
    public init(counts: [Double], assembled: Bool) {
        (predicted, reused, retried, failed, chunks) = (Int(counts[0]), Int(counts[1]), Int(counts[2]), Int(counts[3]), Int(counts[4]))
        self.assembled = assembled
    }
}

/// Predicts a catalogue of any length in chunks. Before any work the catalogue is surveyed once
/// (rows, duplicate IDs, checksum) and the run's provenance fixed; each chunk's rows are then
/// predicted (a failure is recorded with its reason and the run goes on) and written as a
/// `CataloguePart`. A rerun reuses a part only when its provenance matches, and predicts again
/// the rows that failed. When every chunk is present the parts are assembled into the output
/// table. Memory holds one chunk at a time.
public struct BulkPrediction {
    public let predictor: Predictor
    public let job: CatalogueJob
    public let provenance: BulkProvenance
    /// The catalogue's rows, and the output's columns.
    public let rows: Int
    public let columns: [TableColumn]
    /// The prediction's columns, for the model's tree.
    public let schema: PredictionSchema
    let id: Int, file: Int

    /// Loads the model of `folder`, checks the job's output and surveys the catalogue.
    public init(folder: ModelFolder, backend: any Backend, tta: TestTimeAugmentation, job: CatalogueJob) throws {
        try job.validateOutput()
        let survey = try CatalogueReader(job.catalogue)
        id = try survey.column(job.idColumn, role: "ID")
        file = try survey.column(job.fileColumn, role: "file")
        let configuration = try folder.loadConfiguration()
        var predictor = try Predictor(folder: folder, backend: backend, tta: tta)
        if let request = job.embedding {
            schema = try Self.embeddingSchema(request, predictor: &predictor)
        } else {
            schema = PredictionSchema(tree: configuration.tree, votes: configuration.objective == .dirichletMultinomial,
                                      columns: job.columns, volunteers: job.volunteers)
        }
        self.predictor = predictor
        columns = try job.outputColumns(catalogue: survey.schema, id: id, file: file, predicted: schema)
        rows = try Self.countRows(survey, id: id)
        var provenance = BulkProvenance(input: URL(fileURLWithPath: job.catalogue).standardizedFileURL.path,
                                    inputChecksum: try Checksum.hex(file: job.catalogue), model: try folder.fingerprint(),
                                    testTimeTransforms: tta.rawValue, rendering: job.rendering, idColumn: job.idColumn,
                                    fileColumn: job.fileColumn, partition: job.chunkSize)
        provenance.embeddingLayer = predictor.embeddingLayer
        self.provenance = provenance
        var job = job
        job.provenance = job.provenance?.predicting(model: provenance.model, input: ("catalogue", provenance.inputChecksum), views: tta.rawValue)
        self.job = job
    }

    var chunkCount: Int { (rows + job.chunkSize - 1) / job.chunkSize }

    /// Runs this process's chunks; `assemble` lets it put the table together when all are done.
    public func run(assemble: Bool = true, progress: (String) -> Void) throws -> BulkSummary {
        try refuseEarlierFormat()
        try FileOutput.createFolder(job.partsFolder)
        let catalogue = try CatalogueReader(job.catalogue)
        let base = (job.catalogue as NSString).deletingLastPathComponent
        var summary = BulkSummary(), chunk = 0
        let start = Date(), mine = job.shard.map { shard in (0..<chunkCount).filter { $0 % shard.count == shard.index }.count } ?? chunkCount
        while case let chunkRows = try catalogue.next(job.chunkSize), !chunkRows.isEmpty {
            defer { chunk += 1 }
            guard job.shard.map({ chunk % $0.count == $0.index }) ?? true else { continue }
            summary.chunks += 1
            let first = catalogue.rowsRead - chunkRows.count
            let folder = job.partsFolder, name = CataloguePart.jsonFile(folder: folder, chunk: chunk)
            if let old = try CataloguePart.read(folder: folder, chunk: chunk) {
                try provenance.check(reusing: name, recorded: old.provenance)
                guard old.firstRow == first, old.rowCount == chunkRows.count else {
                    throw BulkError(reason: "\(name) covers rows \(old.firstRow)–\(old.firstRow + old.rowCount - 1), not this chunk's; delete the parts to predict again")
                }
                summary.reused += old.rows.count
                guard !old.failures.isEmpty else { continue }
                // Rows that failed before are tried again (a file may have been fixed or restored).
                let retry = old.failures.map { ($0.row, chunkRows[$0.row - first]) }
                let (fresh, numbers) = predict(retry, base: base)
                summary.retried += fresh.rows.count
                summary.failed += fresh.failures.count
                try merge(old, with: fresh, numbers: numbers, chunk: chunk)
            } else {
                let (part, numbers) = predict(chunkRows.enumerated().map { (first + $0.offset, $0.element) }, base: base)
                try part.write(numbers: numbers, folder: folder, chunk: chunk, schema: schema)
                summary.predicted += part.rows.count
                summary.failed += part.failures.count
            }
            let done = summary.predicted + summary.retried + summary.failed, elapsed = Date().timeIntervalSince(start)
            let rate = Double(done) / max(elapsed, 1e-9), left = Double(mine - summary.chunks) * Double(job.chunkSize)
            progress(String(format: "chunk %d of %d: %d rows predicted, %d failed, %d reused; %.1f rows/s, ETA %.0f s",
                            chunk + 1, chunkCount, summary.predicted + summary.retried, summary.failed, summary.reused, rate, left / max(rate, 1e-9)))
        }
        if assemble { summary.assembled = try assembleIfComplete() }
        return summary
    }

    /// Predicts `rows` (catalogue row number and cells): the part describing them and their block.
    func predict(_ rows: [(row: Int, cells: [Cell])], base: String) -> (CataloguePart, [Float]) {
        let inputColumns = rows.first?.cells.count ?? 0
        let carriedIndices = [id] + (0..<inputColumns).filter { $0 != id && $0 != file }
        let paths = rows.map { row -> String? in
            let name = row.cells[file].exactText
            if name.isEmpty { return nil }
            return name.hasPrefix("/") ? name : (base as NSString).appendingPathComponent(name)
        }
        let given = paths.indices.filter { paths[$0] != nil }
        let results = predictor.predictions(paths: given.map { paths[$0]! }, workers: job.workers, reader: ImageReader(fits: job.rendering))
        var outcome = [Result<Prediction, Error>](repeating: .failure(BulkError(reason: "no file given (the \(job.fileColumn) cell is empty)")),
                                                  count: rows.count)
        for (k, i) in given.enumerated() { outcome[i] = results[k] }
        var part = CataloguePart(provenance: provenance, firstRow: rows.first?.row ?? 0, rowCount: rows.count,
                                 firstID: rows.first?.cells[id].exactText ?? "", lastID: rows.last?.cells[id].exactText ?? "",
                                 carried: Array(columns.prefix(carriedIndices.count)), rows: [], cells: [], failures: [], numbersChecksum: "")
        var numbers: [Float] = []
        for (i, row) in rows.enumerated() {
            switch outcome[i] {
            case .success(let p):
                part.rows.append(row.row)
                part.cells.append(carriedIndices.map { row.cells[$0].exactText })
                numbers += schema.numbers(p)
            case .failure(let error):
                part.failures.append(CataloguePart.Failure(row: row.row, id: row.cells[id].exactText, file: row.cells[file].exactText, reason: "\(error)"))
            }
        }
        return (part, numbers)
    }

    /// Writes `old` with the rows `fresh` predicted again, in catalogue order.
    func merge(_ old: CataloguePart, with fresh: CataloguePart, numbers: [Float], chunk: Int) throws {
        let n = schema.numberCount, folder = job.partsFolder
        let oldNumbers = try old.numbers(folder: folder, chunk: chunk, schema: schema)
        var entries = old.rows.indices.map { (old.rows[$0], old.cells[$0], Array(oldNumbers[($0 * n)..<(($0 + 1) * n)])) }
        entries += fresh.rows.indices.map { (fresh.rows[$0], fresh.cells[$0], Array(numbers[($0 * n)..<(($0 + 1) * n)])) }
        entries.sort { $0.0 < $1.0 }
        var merged = old
        merged.rows = entries.map(\.0)
        merged.cells = entries.map(\.1)
        merged.failures = fresh.failures
        try merged.write(numbers: entries.flatMap(\.2), folder: folder, chunk: chunk, schema: schema)
    }

    /// Runs this process's chunks among `peers` (one shard each): the ranks sum their counts and
    /// wait for each other; rank 0 then assembles the table if every chunk is present and returns
    /// everyone's summary, the other ranks return nil.
    public func run(peers: any ShardPeers, progress: (String) -> Void) throws -> BulkSummary? {
        var counts = try run(assemble: false, progress: progress).counts
        peers.sum(&counts)
        peers.barrier()
        return peers.rank == 0 ? BulkSummary(counts: counts, assembled: try assembleIfComplete()) : nil
    }

    /// Assembles the output table and errors file when every chunk's part is present (and made
    /// by this run's provenance).
    public func assembleIfComplete() throws -> Bool {
        var parts: [CataloguePart] = []
        for chunk in 0..<chunkCount {
            guard let part = try CataloguePart.read(folder: job.partsFolder, chunk: chunk) else { return false }
            try provenance.check(reusing: CataloguePart.jsonFile(folder: job.partsFolder, chunk: chunk), recorded: part.provenance)
            parts.append(part)
        }
        let (schema, columns) = try assembledSchema(parts)
        try CatalogueOutput.assemble(job, parts: parts, columns: columns, schema: schema)
        return true
    }

    /// Parts from before parts recorded their provenance cannot be checked: refused, not trusted.
    func refuseEarlierFormat() throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: job.partsFolder)) ?? []
        if let old = names.first(where: { $0.hasPrefix("chunk-") && $0.hasSuffix(".csv") }) {
            throw BulkError(reason: "\(job.partsFolder)/\(old) was written by an earlier GalaxyNet that did not record what produced it; "
                            + "delete \(job.partsFolder) to predict again, or give another --out")
        }
    }

    /// Rows in a catalogue, counted in one streaming pass that also refuses an ID given twice
    /// (IDs compared as their exact text: `007` and `7` are different galaxies).
    static func countRows(_ reader: CatalogueReader, id: Int) throws -> Int {
        var seen: [String: Int] = [:], count = 0
        while case let rows = try reader.next(8192), !rows.isEmpty {
            for row in rows {
                let key = row[id].exactText
                if let first = seen[key] {
                    throw CatalogueError(file: reader.path, reason: "ID \(key) is in row \(first + 1) and row \(count + 1); each galaxy must have its own ID")
                }
                seen[key] = count
                count += 1
            }
        }
        return count
    }
}
