import Foundation
import GalaxyCore
import GalaxyZoo

/// Puts a catalogue run's parts together into the output table — CSV, or a FITS binary table —
/// and their failures into one errors file, streaming one part at a time. Values arrive typed:
/// a FITS input's columns keep their types; a CSV input's text columns take, for FITS output,
/// the type every one of their values allows (`TextColumnTyping`), so `007` stays text and an
/// objid above Int64.max stays an exact unsigned integer.
public enum CatalogueOutput {
    public static let errorsHeader = "row,id,file,reason"

    public static func assemble(_ job: CatalogueJob, parts: [CataloguePart], columns: [TableColumn], schema: PredictionSchema) throws {
        try writeErrors(parts, to: job.errorsFile)
        try writeTable(path: job.out, columns: columns, retypable: columns.count - schema.columns.count, batches: parts.count,
                       keywords: job.provenance.map(OutputProvenance.keywords) ?? []) {
            try parts[$0].outputRows(folder: job.partsFolder, chunk: $0, schema: schema)
        }
        if let provenance = job.provenance { try OutputProvenance.record(provenance, for: job.out) }
    }

    /// Every failed row (1-based catalogue row, ID, file, reason), written atomically.
    static func writeErrors(_ parts: [CataloguePart], to path: String) throws {
        let lines = parts.flatMap(\.failures).map { f in
            [String(f.row + 1), f.id, f.file, f.reason].map(CatalogueReader.quoted).joined(separator: ",") + "\n"
        }
        try FileOutput.write(errorsHeader + "\n" + lines.joined(), to: path)
    }
}
