import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

// The one worker-pool implementation: `forEach` hands independent items (images, galaxies) to
// claiming workers; `forChunks` splits elementwise kernel work into contiguous ranges.

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

    /// Threads for elementwise kernel work: `OMP_NUM_THREADS` when set (as for oneDNN's OpenMP,
    /// so that several MPI ranks on one node can share its cores), otherwise every online core.
    public static let computeThreads: Int = {
        if let text = getenv("OMP_NUM_THREADS"), let n = Int(String(cString: text)), n > 0 { return n }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }()

    /// Calls `body` on contiguous chunks of 0..<count, on `computeThreads` threads. Small jobs
    /// stay on the calling thread: waking workers costs more than it saves below ~32k elements.
    /// Inlinable so the kernels' loops are compiled into their callers, as when this lived in
    /// the kernel module.
    @inlinable
    public static func forChunks(count: Int, minimumChunk: Int = 32_768, _ body: (Range<Int>) -> Void) {
        let chunks = min(computeThreads, max(1, count / minimumChunk))
        if chunks == 1 { body(0..<count); return }
        // Chunk borders on multiples of 16 keep the SIMD loops aligned.
        let step = ((count + chunks - 1) / chunks + 15) / 16 * 16
        withoutActuallyEscaping(body) { body in
            let work = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let start = min(count, c * step)
                work.value(start..<min(count, start + step))
            }
        }
    }

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

/// Carries a value the compiler cannot prove thread-safe into workers that touch it under a lock
/// or at disjoint places.
public final class UncheckedBox<T>: @unchecked Sendable {
    public var value: T
    public init(_ value: T) { self.value = value }
}
