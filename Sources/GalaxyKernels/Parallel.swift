import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Splits element-wise work into contiguous chunks run on all cores. Small jobs stay on the
/// calling thread: waking workers costs more than it saves below ~32k elements.
enum Parallel {
    static let coreCount = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    static func forChunks(count: Int, minimumChunk: Int = 32_768, _ body: (Range<Int>) -> Void) {
        let chunks = min(coreCount, max(1, count / minimumChunk))
        if chunks == 1 { body(0..<count); return }
        // Chunk borders on multiples of 16 keep the SIMD loops aligned.
        let step = ((count + chunks - 1) / chunks + 15) / 16 * 16
        withoutActuallyEscaping(body) { body in
            let work = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let start = min(count, c * step)
                work.value(start..<min(count, start + step))
            }
        }
    }
}

/// SIMD loops over raw buffers (16 lanes = one AVX-512 register).
enum Vector {
    typealias V = SIMD16<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>, _ i: Int) -> V {
        UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
    }
    @inline(__always) static func store(_ v: V, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: V.self)
    }

    /// out[i] = f(a[i]) over `range`, 16 at a time with a scalar tail.
    @inline(__always)
    static func map(_ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ range: Range<Int>,
                    _ vector: (V) -> V, _ scalar: (Float) -> Float) {
        var i = range.lowerBound
        while i + 16 <= range.upperBound { store(vector(load(a, i)), out, i); i += 16 }
        while i < range.upperBound { out[i] = scalar(a[i]); i += 1 }
    }

    /// out[i] = f(a[i], b[i]) over `range`.
    @inline(__always)
    static func zip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ range: Range<Int>,
                    _ vector: (V, V) -> V, _ scalar: (Float, Float) -> Float) {
        var i = range.lowerBound
        while i + 16 <= range.upperBound { store(vector(load(a, i), load(b, i)), out, i); i += 16 }
        while i < range.upperBound { out[i] = scalar(a[i], b[i]); i += 1 }
    }
}


/// Carries a value the compiler cannot prove thread-safe into a concurrent loop whose chunks
/// touch disjoint memory.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
