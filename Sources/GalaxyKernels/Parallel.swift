import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Splits element-wise work into contiguous chunks run on all cores. Small jobs stay on the
/// calling thread: waking workers costs more than it saves below ~32k elements.
enum Parallel {
    /// Threads for elementwise work: `OMP_NUM_THREADS` when set (as for oneDNN's OpenMP, so that
    /// several MPI ranks on one node can share its cores), otherwise every online core.
    static let coreCount: Int = {
        if let text = getenv("OMP_NUM_THREADS"), let n = Int(String(cString: text)), n > 0 { return n }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }()

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

/// Elementwise loops over raw buffers. They are written as plain scalar loops on purpose: LLVM
/// vectorises them to AVX-512 as well as hand-written SIMD16 code, while some SIMD library
/// calls (pointwiseMax) compile to scalarised code ~15x slower.
enum Vector {
    /// out[i] = f(a[i]) over `range`.
    @inline(__always)
    static func map(_ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ f: (Float) -> Float) {
        for i in range { out[i] = f(a[i]) }
    }

    /// out[i] = f(a[i], b[i]) over `range`.
    @inline(__always)
    static func zip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ range: Range<Int>,
                    _ f: (Float, Float) -> Float) {
        for i in range { out[i] = f(a[i], b[i]) }
    }
}

/// Carries a value the compiler cannot prove thread-safe into a concurrent loop whose chunks
/// touch disjoint memory.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
