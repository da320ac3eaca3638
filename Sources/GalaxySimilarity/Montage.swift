import Foundation
import GalaxyCore
import GalaxyImaging
import GalaxyZoo

/// Where the images of an embeddings table's IDs are: `<ID>.jpg` in a folder, or the file
/// column of a catalogue (paths relative to it), so that a search can be looked at.
public struct ImageLookup: Sendable {
    let paths: [Int64: String]?, folder: String?

    /// `<ID>.jpg` in `folder`.
    public init(folder: String) { (paths, self.folder) = (nil, folder) }

    /// The ID and file columns of `catalogue` (CSV or FITS).
    public init(catalogue: String, idColumn: String, fileColumn: String) throws {
        let reader = try CatalogueReader(catalogue)
        let id = try reader.column(idColumn, role: "ID"), file = try reader.column(fileColumn, role: "file")
        let base = (catalogue as NSString).deletingLastPathComponent
        var paths: [Int64: String] = [:]
        while case let rows = try reader.next(8192), !rows.isEmpty {
            for row in rows {
                guard let key = Int64(row[id].exactText) else { continue }
                let name = row[file].exactText
                paths[key] = name.hasPrefix("/") ? name : (base as NSString).appendingPathComponent(name)
            }
        }
        (self.paths, folder) = (paths, nil)
    }

    /// The image of `id`, or an error naming the ID.
    public func path(of id: Int64) throws -> String {
        if let folder { return "\(folder)/\(id).jpg" }
        guard let path = paths?[id] else { throw EmbeddingError(file: "the catalogue", reason: "has no row with ID \(id)") }
        return path
    }
}

/// A PNG grid of galaxies with a caption under each (their ID and a score): what a person
/// checks a neighbour search or an anomaly ranking by. An image that cannot be read becomes a
/// grey tile captioned with why, so one bad file does not hide the rest.
public enum Montage {
    /// Returns why each image that could not be drawn failed.
    @discardableResult
    public static func write(_ cells: [(id: Int64, caption: String)], images: ImageLookup, columns: Int = 5, tile: Int = 128, to out: String) throws -> [String] {
        require(!cells.isEmpty, "Montage: nothing to draw")
        let captionHeight = 2 * (BitmapFont.glyphHeight + 3)
        let decoded = cells.map { cell in Result { () throws -> RGBImage in
            let full = try ImageSource.display(try images.path(of: cell.id))
            return full.shrunk(by: max(1, full.width / tile))
        } }
        let side = decoded.lazy.compactMap { try? $0.get().width }.first ?? tile
        var failures: [String] = []
        let tiles = zip(cells, decoded).map { cell, result -> RGBImage in
            var image = RGBImage(width: side, height: side, fill: (90, 90, 90)), note = cell.caption
            switch result {
            case .success(let decoded): image = decoded
            case .failure(let error): failures.append("\(cell.id): \(error)"); note = "unreadable"
            }
            var framed = RGBImage(width: image.width, height: image.height + captionHeight, pixels: image.pixels + [UInt8](repeating: 0, count: image.width * captionHeight * 3))
            BitmapFont.draw(String(cell.id), into: &framed, x: 2, y: image.height + 2)
            BitmapFont.draw(note, into: &framed, x: 2, y: image.height + BitmapFont.glyphHeight + 5, colour: (255, 210, 120))
            return framed
        }
        try PNG.write(RGBImage.grid(tiles, columns: columns), to: out)
        return failures
    }
}
