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

    public static func assemble(_ job: CatalogueJob, parts: [CataloguePart], columns: [TableColumn]) throws {
        try writeErrors(parts, to: job.errorsFile)
        var columns = columns, widths = [Int](repeating: 1, count: columns.count)
        let folder = job.partsFolder
        if (job.out as NSString).pathExtension.lowercased() == "fits" {
            // First pass: text widths, and the type each text column can take.
            var typing = [TextColumnTyping](repeating: TextColumnTyping(), count: columns.count)
            for (chunk, part) in parts.enumerated() {
                for row in try part.outputRows(folder: folder, chunk: chunk) {
                    for (c, cell) in row.enumerated() where cell.type == .text {
                        widths[c] = max(widths[c], cell.exactText.utf8.count)
                        typing[c].observe(cell.exactText)
                    }
                }
            }
            for c in 0..<(columns.count - PredictionSchema.columns.count) where columns[c].type == .text { columns[c].type = typing[c].type }
        }
        let writer = try makeTableWriter(path: job.out, columns: columns, textWidths: widths)
        for (chunk, part) in parts.enumerated() { try writer.append(try part.outputRows(folder: folder, chunk: chunk)) }
        try writer.finish()
    }

    /// Every failed row (1-based catalogue row, ID, file, reason), written atomically.
    static func writeErrors(_ parts: [CataloguePart], to path: String) throws {
        let lines = parts.flatMap(\.failures).map { f in
            [String(f.row + 1), f.id, f.file, f.reason].map(CatalogueReader.quoted).joined(separator: ",") + "\n"
        }
        try FileOutput.write(errorsHeader + "\n" + lines.joined(), to: path)
    }
}
