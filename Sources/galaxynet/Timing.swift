import Dispatch

/// Wall-clock timing helpers for the benchmarks.
enum Timing {
    /// Seconds taken by `body`.
    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Median of `runs` timings of `body` after one untimed warm-up run.
    static func medianSeconds(runs: Int, _ body: () -> Void) -> Double {
        body()
        return median((0..<max(runs, 1)).map { _ in seconds(body) })
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// Plain-text table helpers.
enum Text {
    /// `s` padded with spaces to `width` characters (left-aligned).
    static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
}
