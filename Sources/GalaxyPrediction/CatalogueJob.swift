import Foundation
import GalaxyCore
import GalaxyImaging
import GalaxyZoo

/// A catalogue run: which catalogue, which of its columns, how its cutouts are rendered, where
/// the table goes, in what chunks.
public struct CatalogueJob: Sendable {
    public var catalogue: String
    public var idColumn = "id", fileColumn = "file"
    /// The output table: `.csv` or `.fits`.
    public var out: String
    public var chunkSize = 4096
    /// This process's share of the chunks (chunk c belongs to shard c mod N); nil: all.
    public var shard: Shard?
    public var workers = 2
    /// How FITS cutouts are rendered (recorded with every part).
    public var rendering = FITSOptions()
    /// Which columns the table shows (the parts keep every number, so this may change on a rerun).
    public var columns = CatalogueColumns.friendly
    /// Volunteers for the expected-votes columns (advanced columns of a vote model).
    public var volunteers: Int?
    /// How the process that assembles the table was started; the output carries it
    /// (`OutputProvenance`) with the model's checksum and the catalogue's.
    public var provenance: Provenance?
    /// Set for an embedding run (`galaxynet embed`): which layer, which projection.
    public var embedding: EmbeddingRequest?

    public init(catalogue: String, out: String) { self.catalogue = catalogue; self.out = out }

    /// Where the chunks, their errors and the run's state live until the table is assembled.
    public var partsFolder: String { out + ".parts" }
    /// Every failed row with its reason, assembled from the chunks.
    public var errorsFile: String { (out as NSString).deletingPathExtension + ".errors.csv" }
    /// Where an embedding run's fitted projection is written, beside the table.
    public var pcaFile: String { (out as NSString).deletingPathExtension + ".pca.safetensors" }
    /// The files the output consists of (a `.npy` table has its IDs beside it; a fitted projection is saved too).
    var writtenFiles: [String] {
        var files = [out, errorsFile, partsFolder]
        if (out as NSString).pathExtension.lowercased() == "npy" { files.append((out as NSString).deletingPathExtension + ".ids.npy") }
        if case .fit = embedding?.pca { files.append(pcaFile) }
        return files
    }

    /// Checks the output before any work: a known extension, an existing writable folder, and
    /// neither the table nor its errors file on top of the catalogue (nothing a user made is overwritten).
    public func validateOutput() throws {
        let ext = (out as NSString).pathExtension.lowercased(), folder = (out as NSString).deletingLastPathComponent
        guard ext == "csv" || ext == "fits" || (ext == "npy" && embedding != nil) else {
            throw CatalogueError(file: out, reason: "the output must end in .csv or .fits\(embedding != nil ? " or .npy" : "") (the extension decides the format)")
        }
        let directory = folder.isEmpty ? "." : folder
        guard FileManager.default.isWritableFile(atPath: directory) else {
            throw CatalogueError(file: out, reason: "the folder \(directory) does not exist or is not writable")
        }
        for written in writtenFiles where OutputPath.same(written, catalogue) || embedding?.pca.file.map({ OutputPath.same(written, $0) }) == true {
            throw CatalogueError(file: out, reason: (written == out ? "this is the catalogue itself" : "\(written), written beside it, would overwrite an input")
                                 + "; give another --out")
        }
    }

    /// A folder of `<ID>.jpg` images as this job's catalogue: listed, in ID order, into
    /// `images.csv` in the parts folder (id, absolute file), so that a folder is run — chunked,
    /// resumed, sharded — exactly as a catalogue is, and a changed folder is a changed input.
    public mutating func useImages(in folder: String) throws {
        let ids = try KaggleDataset.listImages(in: folder)  // ascending
        guard !ids.isEmpty else { throw CatalogueError(file: folder, reason: "no <ID>.jpg images in the folder") }
        let root = URL(fileURLWithPath: folder).standardizedFileURL.path
        (idColumn, fileColumn, catalogue) = ("id", "file", partsFolder + "/images.csv")
        try FileOutput.createFolder(partsFolder)
        let listing = "id,file\n" + ids.map { "\($0),\(CatalogueReader.quoted(root + "/\($0).jpg"))\n" }.joined()
        if FileManager.default.contents(atPath: catalogue) != Data(listing.utf8) { try FileOutput.write(listing, to: catalogue) }
    }

    /// The output's columns for a catalogue of `schema`: the ID, the carried columns, then the
    /// prediction's. A carried column named like an output column, or (for FITS, whose names are
    /// case-blind and at most 68 printable ASCII characters) one FITS cannot hold, is refused by name.
    public func outputColumns(catalogue schema: [TableColumn], id: Int, file: Int, predicted prediction: PredictionSchema) throws -> [TableColumn] {
        let carried = [schema[id]] + schema.indices.filter { $0 != id && $0 != file }.map { schema[$0] }
        let predicted = prediction.columns, fits = (out as NSString).pathExtension.lowercased() == "fits"
        let key: (String) -> String = { fits ? $0.uppercased() : $0 }
        let taken = Set(predicted.map { key($0.name) })
        if let clash = carried.first(where: { taken.contains(key($0.name)) }) {
            throw CatalogueError(file: catalogue, reason: "the catalogue column \"\(clash.name)\" has the name of an output column; rename it in the catalogue")
        }
        if fits {
            var seen: [String: String] = [:]
            for column in carried {
                guard column.name.utf8.count <= 68, !column.name.isEmpty, column.name.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) else {
                    throw CatalogueError(file: catalogue, reason: "the column name \"\(column.name)\" cannot be a FITS column name "
                                         + "(1–68 printable ASCII characters); rename it, or write .csv")
                }
                if let other = seen[key(column.name)] {
                    throw CatalogueError(file: catalogue, reason: "the columns \"\(other)\" and \"\(column.name)\" differ only in case, "
                                         + "which a FITS table cannot tell apart; rename one, or write .csv")
                }
                seen[key(column.name)] = column.name
            }
        }
        return carried + predicted
    }
}

/// What an embedding run keeps: a hidden layer (nil: the last, which the output layer reads),
/// and the projection of its rows.
public struct EmbeddingRequest: Sendable {
    public var layer: String?
    public var pca: Projection

    /// The rows as they are, a projection fitted on this run's rows, or one saved by an earlier run.
    public enum Projection: Sendable {
        case none
        case fit(components: Int)
        case from(file: String)
        var file: String? { if case .from(let f) = self { f } else { nil } }
    }

    public init(layer: String? = nil, pca: Projection = .none) { (self.layer, self.pca) = (layer, pca) }
}
