import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyImaging
import GalaxyZoo

/// `galaxynet extract DIR --out FILE.csv`: source extraction for every JPEG in a folder.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Galaxy centre, shape and Petrosian radius for every JPEG in a folder (cached as CSV), using all cores.")

    @Argument(help: "Folder of <GalaxyID>.jpg files.") var folder: String
    @Option(help: "Output CSV.") var out: String
    @Option(help: "SExtractor results to compare with (sdss-dev/sextractor_params.csv: 1-based x, y; petro_radius in units of a).")
    var compare: String?
    @Option(help: "Worker threads.") var threads = Parallelism.cores

    func validate() throws { try OutputPath.check(out, extensions: ["csv"], inputs: [folder] + (compare.map { [$0] } ?? [])) }

    func run() throws {
        let ids = try KaggleDataset.listImages(in: folder)
        let progress = Progress("extracting")
        let found = try SourceExtractor.extract(files: ids.map { "\(folder)/\($0).jpg" }, threads: threads) { progress($0, ids.count) }
        try ExtractionTable.write(ids: ids, extractions: found, to: out)
        let results = Dictionary(uniqueKeysWithValues: zip(ids, found))
        print("wrote \(out) (\(ids.count) images, \(results.values.filter(\.detected).count) with a detection)")
        if let compare { try report(results, against: compare) }
    }

    /// Centre error and Petrosian-aperture ratio against SExtractor.
    func report(_ ours: [Int: SourceExtraction], against path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        guard let header = lines.first?.split(separator: ",").map(String.init),
              let id = header.firstIndex(of: "GalaxyID"), let xi = header.firstIndex(of: "x"), let yi = header.firstIndex(of: "y"),
              let ai = header.firstIndex(of: "a"), let pi = header.firstIndex(of: "petro_radius") else {
            throw ValidationError("\(path): expected columns GalaxyID, x, y, a, petro_radius")
        }
        var errors: [Double] = [], ratios: [Double] = []
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard let g = Int(f[id]), let mine = ours[g], let x = Double(f[xi]), let y = Double(f[yi]) else { continue }
            // SExtractor is 1-based.
            errors.append(((mine.x - (x - 1)) * (mine.x - (x - 1)) + (mine.y - (y - 1)) * (mine.y - (y - 1))).squareRoot())
            if let a = Double(f[ai]), let p = Double(f[pi]), a * p > 0, mine.petrosianRadius.isFinite {
                ratios.append(mine.petrosianAperture / (a * p))
            }
        }
        func quantiles(_ v: [Double]) -> String {
            let s = v.sorted()
            return [0.05, 0.25, 0.5, 0.75, 0.95].map { q in String(format: "%.3f", s[min(s.count - 1, Int(q * Double(s.count)))]) }.joined(separator: " / ")
        }
        guard !errors.isEmpty else { throw ValidationError("\(path): no GalaxyID in common with \(folder)") }
        print("against \(path) (\(errors.count) galaxies):")
        print("  centre error, px (5/25/50/75/95%):           " + quantiles(errors))
        if !ratios.isEmpty { print("  Petrosian aperture ratio ours/SExtractor:     " + quantiles(ratios)) }
        print(String(format: "  centre within 2 px: %.1f%%; Petrosian aperture within 15%%: %.1f%%",
                     100 * Double(errors.filter { $0 <= 2 }.count) / Double(errors.count),
                     100 * Double(ratios.filter { abs($0 - 1) <= 0.15 }.count) / Double(errors.count)))
    }
}
