import Foundation
import GalaxyCore
import GalaxyImaging
import GalaxyPrediction

/// An image of a request: a file still to decode, or pixels.
public enum ServedImage: Sendable {
    case file(bytes: [UInt8], name: String)
    case decoded(any SourceImage)
}

/// Batches concurrent requests into shared forward passes: requests queue their images; one
/// worker thread takes every image waiting (up to `maxBatch`), waiting at most `window` for more
/// to arrive once the first is there, decodes the files among them on `workers` threads, predicts
/// them together and hands each request its own (or the error of its first image that failed).
/// All the computing happens here, one batch at a time, so it never competes with itself for
/// the cores (the kernels' threads slow down badly when oversubscribed); requests are answered
/// in arrival order.
public final class DynamicBatcher: @unchecked Sendable {
    public let maxBatch: Int, window: TimeInterval, workers: Int
    let decode: (ServedImage) throws -> any SourceImage
    let predict: ([any SourceImage]) -> [Prediction]
    /// Called with each batch's image count (metrics).
    let observe: @Sendable (Int) -> Void
    private let condition = NSCondition()
    private var queue: [(images: [ServedImage], done: @Sendable (Result<[Prediction], any Error>) -> Void)] = []
    private var stopping = false

    public init(maxBatch: Int, window: TimeInterval, workers: Int, observe: @escaping @Sendable (Int) -> Void = { _ in },
                decode: @escaping (ServedImage) throws -> any SourceImage, predict: @escaping ([any SourceImage]) -> [Prediction]) {
        precondition(maxBatch >= 1 && window >= 0 && workers >= 1, "DynamicBatcher: maxBatch ≥ 1, window ≥ 0, workers ≥ 1")
        (self.maxBatch, self.window, self.workers, self.decode, self.predict, self.observe) = (maxBatch, window, workers, decode, predict, observe)
        let thread = Thread { [unowned self] in self.work() }
        thread.name = "galaxynet-batcher"
        thread.start()
    }

    /// The predictions of `images`, computed in some batch; a file that cannot be read throws.
    public func predictions(_ images: [ServedImage]) async throws -> [Prediction] {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            queue.append((images, { continuation.resume(with: $0) }))
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
            var taken: [(images: [ServedImage], done: @Sendable (Result<[Prediction], any Error>) -> Void)] = [], count = 0
            while let next = queue.first, taken.isEmpty || count + next.images.count <= maxBatch {
                taken.append(queue.removeFirst())
                count += next.images.count
            }
            condition.unlock()
            observe(count)
            let all = taken.flatMap(\.images)
            let decoded = ResultSlots<Result<any SourceImage, any Error>>(count: all.count)
            Parallelism.forEach(count: all.count, threads: workers) { i in decoded.set(i, Result { try self.decode(all[i]) }) } monitor: {}
            // A request is answered whole: one unreadable image fails it, and only it.
            var offset = 0, good: [(request: Int, images: [any SourceImage])] = []
            for (r, request) in taken.enumerated() {
                let mine = decoded.values[offset..<(offset + request.images.count)].map { $0! }
                offset += request.images.count
                do { good.append((r, try mine.map { try $0.get() })) } catch { request.done(.failure(error)) }
            }
            let results = predict(good.flatMap(\.images))
            offset = 0
            for (r, images) in good {
                taken[r].done(.success(Array(results[offset..<(offset + images.count)])))
                offset += images.count
            }
        }
    }
}
