import Foundation
import GalaxyTensor
import GalaxyKernels

/// Helpers shared by the test targets.
public enum TestSupport {
    /// Both backends, so each check runs on each.
    public static let backends: [any Backend] = [ReferenceBackend.shared, OneDNNBackend.sharedFast]

    /// Random normal values.
    public static func random(_ shape: [Int], seed: UInt64, scale: Float = 1, backend: any Backend = ReferenceBackend.shared) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return Tensor.randomNormal(shape: shape, standardDeviation: scale, generator: &g, backend: backend)
    }

    /// Distinct values at least `spacing` apart, shuffled, none within spacing/2 of zero: inputs for
    /// finite differences through max, ReLU and clip, whose kinks a small step must not cross.
    public static func spaced(_ shape: [Int], seed: UInt64, spacing: Float = 0.05, backend: any Backend = ReferenceBackend.shared) -> Tensor {
        let n = shape.reduce(1, *)
        var values = (0..<n).map { (Float($0) - Float(n / 2)) * spacing + spacing / 2 }
        var g = SeededGenerator(seed: seed)
        values.shuffle(using: &g)
        return Tensor(shape: shape, scalars: values, backend: backend)
    }

    /// The repository's root folder (computed once, from this file's place in it).
    public static let repositoryRoot: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// `../shared/data` beside the repository: the real samples the tests read.
    public static let sharedDataRoot: String = URL(fileURLWithPath: repositoryRoot).deletingLastPathComponent().appendingPathComponent("shared/data").path

    /// A fresh, empty temporary folder.
    public static func temporaryFolder(_ name: String = "galaxynet") -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A file or folder under `../shared/data`.
    public static func sharedData(_ relative: String) -> String { sharedDataRoot + "/" + relative }

    /// A failed check by an independent reader (NumPy, astropy): what it said on stderr.
    public struct PythonFailure: Error, CustomStringConvertible {
        public let status: Int32, stderr: String
        public var description: String { "python3 exited \(status): \(stderr)" }
    }

    /// Whether python3 can import `module` (the set-up installs NumPy and astropy; a check that
    /// needs them is skipped, with its reason, only where they cannot be had).
    public static func pythonHas(_ module: String) -> Bool {
        (try? python("import \(module)")) != nil
    }

    /// Runs a Python snippet; returns what it printed. A non-zero exit (the reader rejected the
    /// file, an assertion failed) throws with its stderr: a check can fail.
    public static func python(_ script: String) throws -> String {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", script]
        let out = Pipe(), err = Pipe()
        python.standardOutput = out
        python.standardError = err
        try python.run()
        // Drain both pipes before waiting: a full pipe would block the child.
        let errors = UncheckedBox(Data())
        let reader = Thread { errors.value = err.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        guard python.terminationStatus == 0 else {
            throw PythonFailure(status: python.terminationStatus, stderr: String(decoding: errors.value, as: UTF8.self))
        }
        return text
    }

    /// Runs a snippet with NumPy imported; nil only when this machine has no NumPy (the check is
    /// then skipped); any failure of the snippet itself throws.
    public static func numpy(_ script: String) throws -> String? {
        guard pythonHas("numpy") else {
            print("skipped: python3 with NumPy is not installed (python3 -m pip install numpy)")
            return nil
        }
        return try python("import numpy\n" + script)
    }

    /// The last space-separated number of a line of output.
    public static func lastNumber(_ text: String) -> Double? {
        Double(text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
    }

    /// max |a − b| / max(max |b|, 1e-6).
    public static func relativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "relativeDifference: \(a.shape) vs \(b.shape)")
        let x = a.scalars, y = b.scalars
        let scale = max(y.map(abs).max() ?? 0, 1e-6)
        return zip(x, y).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }
}
