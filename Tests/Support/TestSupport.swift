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

    /// Runs a Python snippet with NumPy; returns what it printed, or nil when this machine has no
    /// python3 with NumPy (the checks that use it are then skipped).
    public static func numpy(_ script: String) throws -> String? {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", "import numpy\n" + script]
        let out = Pipe()
        python.standardOutput = out
        python.standardError = Pipe()
        try python.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        python.waitUntilExit()
        return python.terminationStatus == 0 ? text : nil
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
