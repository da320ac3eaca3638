import Foundation
import GalaxyZoo

/// The files a prediction is written to: a Kaggle CSV and, beside it, a NumPy `.npy`
/// (float32, [n, answers], rows in ascending GalaxyID order).
public enum PredictionFiles {
    /// The `.npy` path beside a CSV path.
    public static func npyPath(for csv: String) -> String { (csv as NSString).deletingPathExtension + ".npy" }

    /// Writes both files; returns the `.npy` path.
    @discardableResult
    public static func write(_ table: GalaxyTable, tree: DecisionTree = .gz2, to csv: String) throws -> String {
        try KaggleCSV.write(table, tree: tree, to: csv)
        let sorted = table.sortedByID()
        let npy = npyPath(for: csv)
        try NPY.write(shape: [sorted.count, table.width], values: sorted.values, to: npy)
        return npy
    }
}
