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
        let sextractor = try compare.map(SExtractorResults.init)
        let progress = Progress("extracting")
        let found = try SourceExtractor.extract(files: ids.map { "\(folder)/\($0).jpg" }, threads: threads) { progress($0, ids.count) }
        try ExtractionTable.write(ids: ids, extractions: found, to: out)
        let results = Dictionary(uniqueKeysWithValues: zip(ids, found))
        print("wrote \(out) (\(ids.count) images, \(results.values.filter(\.detected).count) with a detection)")
        if let report = SourceExtraction.fallbackReport(found, names: ids.map(String.init)) { print("note: " + report) }
        if let sextractor { print(try SExtractorComparison(results, against: sextractor).text) }
    }
}
