import Foundation
import GalaxyImaging
import GalaxyZoo

extension KaggleDataset {
    /// The cache of the training images' source extractions, in the dataset folder.
    public var trainingExtractionFile: String { root + "/extraction_training.csv" }

    /// Source extractions of every labelled image, in `labels` order: read from the cache when it
    /// covers them all, otherwise measured on every core and cached (best effort: a read-only
    /// dataset still trains). The images are read as cutouts of `cutout`'s format.
    public func trainingExtractions(cutout: CutoutFormat = .sdss) throws -> [SourceExtraction] {
        if let cached = try? ExtractionTable.read(trainingExtractionFile), labels.ids.allSatisfy({ cached[$0] != nil }) {
            return labels.ids.map { cached[$0]! }
        }
        let found = try SourceExtractor.extract(files: labels.ids.map(trainingImagePath), reader: ImageReader.standard.reading(cutout))
        try? ExtractionTable.write(ids: labels.ids, extractions: found, to: trainingExtractionFile)
        return found
    }

    /// The images of `split` ("validation": the run's held-out rows; "test": the test folder),
    /// with their extractions when `centred` (read as cutouts of `cutout`'s format).
    public func images(of split: DatasetSplit, centred: Bool, cutout: CutoutFormat = .sdss) throws -> (ids: [Int], paths: [String], extractions: [SourceExtraction]?) {
        switch split {
        case .validation:
            let rows = self.split.validation, ids = rows.map { labels.ids[$0] }
            let all = centred ? try trainingExtractions(cutout: cutout) : nil
            return (ids, ids.map(trainingImagePath), all.map { e in rows.map { e[$0] } })
        case .test:
            let paths = testIDs.map(testImagePath)
            return (testIDs, paths, centred ? try SourceExtractor.extract(files: paths, reader: ImageReader.standard.reading(cutout)) : nil)
        }
    }
}

/// Which images of a dataset to predict.
public enum DatasetSplit: String, Sendable, CaseIterable {
    /// The held-out 10% of the labelled images.
    case validation
    /// The dataset's `images_test_rev1/`.
    case test
}
