import Dispatch

/// Wall-clock timing helpers for the benchmarks.
public enum Timing {
    /// Seconds taken by `body`.
    public static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Median of `runs` timings of `body` after one untimed warm-up run.
    public static func medianSeconds(runs: Int, _ body: () -> Void) -> Double {
        body()
        return median((0..<max(runs, 1)).map { _ in seconds(body) })
    }

    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
