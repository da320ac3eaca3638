import Foundation
import GalaxyImaging
import GalaxyPrediction

/// Batches concurrent requests into shared forward passes: requests queue their images; one
/// worker thread takes every image waiting (up to `maxBatch`), waiting at most `window` for more
/// to arrive once the first is there, predicts them together and hands each request its own.
/// Requests are answered in arrival order; the network never runs two batches at once.
public final class DynamicBatcher: @unchecked Sendable {
    public let maxBatch: Int, window: TimeInterval
    let predict: ([any SourceImage]) -> [Prediction]
    /// Called with each batch's image count (metrics).
    let observe: @Sendable (Int) -> Void
    private let condition = NSCondition()
    private var queue: [(images: [any SourceImage], done: @Sendable ([Prediction]) -> Void)] = []
    private var stopping = false

    public init(maxBatch: Int, window: TimeInterval, observe: @escaping @Sendable (Int) -> Void = { _ in },
                predict: @escaping ([any SourceImage]) -> [Prediction]) {
        precondition(maxBatch >= 1 && window >= 0, "DynamicBatcher: maxBatch ≥ 1 and window ≥ 0")
        (self.maxBatch, self.window, self.predict, self.observe) = (maxBatch, window, predict, observe)
        let thread = Thread { [unowned self] in self.work() }
        thread.name = "galaxynet-batcher"
        thread.start()
    }

    /// The predictions of `images`, computed in some batch.
    public func predictions(_ images: [any SourceImage]) async -> [Prediction] {
        await withCheckedContinuation { continuation in
            condition.lock()
            queue.append((images, { continuation.resume(returning: $0) }))
            condition.signal()
            condition.unlock()
        }
    }

    /// Lets the worker finish what is queued and end.
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty { condition.unlock(); return }
            // The first request is here: give others until the window closes to join, unless the batch is full.
            let deadline = Date().addingTimeInterval(window)
            while queue.reduce(0, { $0 + $1.images.count }) < maxBatch && !stopping && condition.wait(until: deadline) {}
            var taken: [(images: [any SourceImage], done: @Sendable ([Prediction]) -> Void)] = [], count = 0
            while let next = queue.first, taken.isEmpty || count + next.images.count <= maxBatch {
                taken.append(queue.removeFirst())
                count += next.images.count
            }
            condition.unlock()
            observe(count)
            let results = predict(taken.flatMap(\.images))
            var offset = 0
            for request in taken {
                request.done(Array(results[offset..<(offset + request.images.count)]))
                offset += request.images.count
            }
        }
    }
}
