import Dispatch
import Foundation

/// Fixed-size storage that worker threads fill at distinct indices.
public final class ResultSlots<T>: @unchecked Sendable {
    private var storage: [T?]
    private let lock = NSLock()
    public init(count: Int) { storage = [T?](repeating: nil, count: count) }
    public func set(_ i: Int, _ value: T) { lock.lock(); storage[i] = value; lock.unlock() }
    public var values: [T?] { lock.lock(); defer { lock.unlock() }; return storage }
}

/// A thread-safe counter for progress reports.
public final class ProgressCounter: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()
    public init() {}
    public func increment() { lock.lock(); count += 1; lock.unlock() }
    public var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// Runs independent work items on worker threads.
public enum Parallelism {
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Calls `body(i)` for every i in 0..<count on `threads` threads; `monitor` runs on the
    /// calling thread about every second and once at the end.
    public static func forEach(count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void, monitor: () -> Void) {
        let done = DispatchGroup(), claim = NSLock(), cursor = UncheckedBox(0)
        let queue = DispatchQueue(label: "galaxynet.workers", attributes: .concurrent)
        for _ in 0..<max(1, threads) {
            done.enter()
            queue.async {
                // Each worker claims the next index until none is left.
                while true {
                    claim.lock()
                    let i = cursor.value
                    cursor.value += 1
                    claim.unlock()
                    guard i < count else { break }
                    body(i)
                }
                done.leave()
            }
        }
        while done.wait(timeout: .now() + 1) == .timedOut { monitor() }
        monitor()
    }
}

public final class UncheckedBox<T>: @unchecked Sendable {
    public var value: T
    public init(_ value: T) { self.value = value }
}
