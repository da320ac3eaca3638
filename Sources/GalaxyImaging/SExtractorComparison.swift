import Foundation

/// Our source extraction against SExtractor's on the same images: the centre error and the
/// ratio of Petrosian apertures, as quantiles and the share within tolerance.
public struct SExtractorComparison: Sendable {
    /// Centre distances in pixels, one per galaxy both found.
    public let centreErrors: [Double]
    /// Our Petrosian aperture over SExtractor's (a × petro_radius), where both are finite.
    public let apertureRatios: [Double]
    public let file: String

    /// Pairs `ours` with SExtractor's results by GalaxyID; galaxies we did not measure are left out.
    public init(_ ours: [Int: SourceExtraction], against results: SExtractorResults) throws {
        var errors: [Double] = [], ratios: [Double] = []
        for (id, theirs) in results.rows.sorted(by: { $0.key < $1.key }) {
            guard let mine = ours[id] else { continue }
            // SExtractor is 1-based.
            errors.append(((mine.x - (theirs.x - 1)) * (mine.x - (theirs.x - 1)) + (mine.y - (theirs.y - 1)) * (mine.y - (theirs.y - 1))).squareRoot())
            if let a = theirs.a, let p = theirs.petrosian, a * p > 0, mine.petrosianRadius.isFinite {
                ratios.append(mine.petrosianAperture / (a * p))
            }
        }
        guard !errors.isEmpty else { throw ImageError(file: results.file, reason: "no GalaxyID in common with the extracted images") }
        (centreErrors, apertureRatios, file) = (errors, ratios, results.file)
    }

    /// Reads SExtractor's results from `path`, then pairs them with `ours`.
    public init(_ ours: [Int: SourceExtraction], against path: String) throws {
        try self.init(ours, against: try SExtractorResults(path))
    }

    /// The 5/25/50/75/95 % quantiles of `values`.
    public static func quantiles(_ values: [Double]) -> [Double] {
        let s = values.sorted()
        return [0.05, 0.25, 0.5, 0.75, 0.95].map { s[min(s.count - 1, Int($0 * Double(s.count)))] }
    }

    public var text: String {
        func list(_ v: [Double]) -> String { Self.quantiles(v).map { String(format: "%.3f", $0) }.joined(separator: " / ") }
        var lines = ["against \(file) (\(centreErrors.count) galaxies):",
                     "  centre error, px (5/25/50/75/95%):           " + list(centreErrors)]
        if !apertureRatios.isEmpty { lines.append("  Petrosian aperture ratio ours/SExtractor:     " + list(apertureRatios)) }
        lines.append(String(format: "  centre within 2 px: %.1f%%; Petrosian aperture within 15%%: %.1f%%",
                            100 * Double(centreErrors.filter { $0 <= 2 }.count) / Double(centreErrors.count),
                            100 * Double(apertureRatios.filter { abs($0 - 1) <= 0.15 }.count) / Double(centreErrors.count)))
        return lines.joined(separator: "\n")
    }
}

/// SExtractor's results for a set of images: a CSV with GalaxyID, x, y (1-based), a and
/// petro_radius (in units of a). Read before any extraction, so a bad file costs no work.
public struct SExtractorResults: Sendable {
    public struct Row: Sendable { public var x: Double, y: Double, a: Double?, petrosian: Double? }
    public let rows: [Int: Row]
    public let file: String

    /// A malformed row is an error naming its line.
    public init(_ path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw ImageError(file: path, reason: "file not found") }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let header = lines.first.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } } ?? []
        let columns = ["GalaxyID", "x", "y", "a", "petro_radius"].map { header.firstIndex(of: $0) }
        let indices = columns.compactMap { $0 }
        guard indices.count == columns.count else {
            throw ImageError(file: path, reason: "line 1: expected columns GalaxyID, x, y, a, petro_radius")
        }
        var rows: [Int: Row] = [:]
        for (n, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard f.count == header.count, let id = Int(f[indices[0]]), let x = Double(f[indices[1]]), let y = Double(f[indices[2]]) else {
                throw ImageError(file: path, reason: "line \(n + 1): expected \(header.count) fields with a GalaxyID and numeric x, y")
            }
            rows[id] = Row(x: x, y: y, a: Double(f[indices[3]]), petrosian: Double(f[indices[4]]))
        }
        (self.rows, file) = (rows, path)
    }
}
