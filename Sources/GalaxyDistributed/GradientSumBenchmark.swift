import Foundation
import GalaxyTensor
import GalaxyTraining

/// The gradient sum of one update alone, timed: a model's parameter tensors handed to the
/// group's `GradientSum` in the order autodiff finishes them (the last layers first), as training
/// does, then `finish`. With nothing to hide it behind, this is the whole time the sums take, the
/// figure against which training's wait after the backward pass says how much was hidden.
public struct GradientSumBenchmark {
    /// The tensors of one update's gradients, in parameter order.
    let gradients: [Tensor]

    public init(gradients: [Tensor]) { self.gradients = gradients }

    /// What one run measured.
    public struct Report: Codable, Sendable {
        public var processes: Int
        public var floats: Int
        public var bucketFloats: Int
        /// Seconds per gradient sum, each repeat.
        public var seconds: [Double]
        public var medianSeconds: Double
        /// Bytes each rank sends per second in a ring all-reduce of this size (2(N−1)/N × bytes / time),
        /// comparable with a link's rate.
        public var busGigabitsPerSecond: Double

        public var text: String {
            String(format: "gradient sum of %d floats (%.1f MB) over %d processes in buckets of %d floats: median %.1f ms of %d (%@), %.2f Gbit/s bus bandwidth",
                   floats, Double(floats * 4) / 1e6, processes, bucketFloats, medianSeconds * 1000, seconds.count,
                   seconds.map { String(format: "%.1f", $0 * 1000) }.joined(separator: ", "), busGigabitsPerSecond)
        }
    }

    /// Times `repeats` gradient sums over `group`, after one untimed, each started together (a barrier).
    public func measure(group: MPIProcessGroup, repeats: Int) -> Report {
        precondition(repeats > 0, "GradientSumBenchmark: repeats must be positive")
        var seconds: [Double] = []
        for repeat_ in 0...repeats {
            group.barrier()
            let start = DispatchTime.now().uptimeNanoseconds
            let sum = group.gradientSum(count: gradients.count)
            for index in gradients.indices.reversed() { sum.ready(index, gradients[index]) }
            _ = sum.finish()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if repeat_ > 0 { seconds.append(elapsed) }
        }
        // The mean over the ranks of each repeat (they start together at the barrier and finish within its skew).
        var slowest = seconds
        group.sum(&slowest)
        seconds = slowest.map { $0 / Double(group.size) }
        let floats = gradients.reduce(0) { $0 + $1.count }, n = Double(group.size)
        let median = seconds.sorted()[seconds.count / 2]
        return Report(processes: group.size, floats: floats, bucketFloats: group.bucketFloats, seconds: seconds, medianSeconds: median,
                      busGigabitsPerSecond: 2 * (n - 1) / n * Double(floats * 4 * 8) / median / 1e9)
    }
}
