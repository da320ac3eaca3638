import CDNNL
#if canImport(Glibc)
import Glibc
#endif
import COpenBLAS
import GalaxyCore
import GalaxyTensor

/// The fast CPU backend: oneDNN for convolution, pooling and LRN (forward and both backward
/// passes), OpenBLAS sgemm for matrix products, SIMD and multithreaded elementwise kernels.
/// Ops it does not accelerate (data movement, maxout, softmax, max-norm) run the reference loops,
/// each named in `OneDNNFallbacks.swift`: nothing is inherited, so a slow path is never silent.
///
/// Convolution, pooling and LRN outputs stay in the layout oneDNN picked (typically nChw16c)
/// so that conv → pool → conv chains run without reorders; like cuda-convnet's c01b layout in
/// the original, the layout is an implementation detail and `Tensor.plain` restores NCHW.
/// Primitives are created once per shape and cached. ReLU is fused into the convolution as a
/// post-op for tied biases, and into the untied-bias pass otherwise.
public final class OneDNNBackend: HostMemoryBackend, @unchecked Sendable {
    /// The shared instance; oneDNN primitives are cached in it.
    public static let sharedFast = OneDNNBackend()

    let context = DNNLContext()

    /// The reference loops for the ops listed in `OneDNNFallbacks.swift`; their outputs belong to
    /// this backend (a stateless view, made per call so that no shared mutable state is needed).
    var reference: ReferenceBackend { ReferenceBackend(producingFor: self) }

    /// Whether 5×5 convolutions with unit stride run Winograd F(2×2, 5×5) (`OneDNNWinograd.swift`).
    let winograd5x5: Bool

    /// How the backend computes 5×5 convolutions with unit stride.
    public enum FiveByFiveConvolutions: Sendable {
        /// Winograd F(2×2, 5×5) where oneDNN runs AVX2 kernels (there it is 1.7× faster than
        /// oneDNN's direct sum; with AVX-512 it is not), the direct sum elsewhere.
        case automatic
        /// oneDNN's direct sum.
        case direct
        /// Winograd wherever the shape allows; the CPU must have AVX2 and FMA.
        case winograd
    }

    public init(fiveByFive: FiveByFiveConvolutions = .automatic) {
        switch fiveByFive {
        case .automatic: winograd5x5 = [dnnl_cpu_isa_avx2, dnnl_cpu_isa_avx2_vnni].contains(dnnl_get_effective_cpu_isa())
        case .direct: winograd5x5 = false
        case .winograd:
            require(CPUFlags.current.isSuperset(of: ["avx2", "fma"]), "OneDNNBackend: Winograd 5×5 needs a CPU with AVX2 and FMA")
            winograd5x5 = true
        }
    }

    public var name: String { "onednn" }

    /// Number of oneDNN primitives created so far (each shape once).
    public var cachedPrimitiveCount: Int { context.cachedPrimitiveCount }

    // MARK: Layout plumbing

    func descriptor(_ t: Tensor) -> MemoryDescriptor {
        if let layout = t.layout {
            guard let dnnl = layout as? DNNLLayout else { fatalError("onednn: foreign layout \(layout)") }
            return dnnl.descriptor
        }
        return MemoryDescriptor(shape: t.shape)
    }

    /// A tensor of `shape` stored as `md` (plain when `md` is row-major).
    func allocate(_ shape: [Int], _ md: MemoryDescriptor) -> Tensor {
        let storage = TensorStorage(uninitializedCount: (md.byteCount + 3) / 4)
        return Tensor(shape: shape, storage: storage, layout: md.isPlain ? nil : DNNLLayout(md), backend: self)
    }

    /// `t` laid out as `md`, reordering only when it is not already.
    func converted(_ t: Tensor, to md: MemoryDescriptor) -> Tensor {
        let current = descriptor(t)
        if current.key == md.key { return t }
        let result = allocate(t.shape, md)
        context.reorder(from: current, UnsafeMutableRawPointer(t.storage.pointer), to: md, UnsafeMutableRawPointer(result.storage.pointer))
        return result
    }

    /// Runs `body` with the OpenMP pool that oneDNN and OpenBLAS share limited to `threads` on the
    /// calling thread, then restores the previous limit: for checks that a kernel's result does
    /// not depend on how many cores computed it (data-parallel ranks and prediction shards rely
    /// on that).
    public static func withKernelThreads<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
        precondition(threads > 0, "OneDNNBackend.withKernelThreads: \(threads) threads")
        return try OpenMP.withThreads(Int32(threads), body)
    }

    public func makePlain(_ x: Tensor) -> Tensor {
        x.layout == nil ? x : converted(x, to: MemoryDescriptor(shape: x.shape))
    }

    /// A fresh plain tensor for a kernel's output.
    func output(_ shape: [Int]) -> Tensor { Tensor(uninitialized: shape, backend: self) }

    @inline(__always) func raw(_ t: Tensor) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(t.storage.pointer) }
}

/// The OpenMP runtime oneDNN and OpenBLAS run in (libgomp, loaded with oneDNN), reached by name:
/// its header is not part of the C shims.
enum OpenMP {
    private typealias SetThreads = @convention(c) (Int32) -> Void
    private typealias GetThreads = @convention(c) () -> Int32
    private typealias Region = @convention(c) (UnsafeMutableRawPointer?) -> Void
    /// libgomp's entry point for `#pragma omp parallel` (GCC's ABI): runs `region(data)` on a team
    /// of `threads` threads (0: the default), the caller being thread 0.
    private typealias Parallel = @convention(c) (Region, UnsafeMutableRawPointer?, UInt32, UInt32) -> Void
    private static let functions: (set: SetThreads, get: GetThreads, parallel: Parallel, thread: GetThreads, threads: GetThreads) = {
        let process = dlopen(nil, RTLD_NOW)
        guard let set = dlsym(process, "omp_set_num_threads"), let get = dlsym(process, "omp_get_max_threads"),
              let parallel = dlsym(process, "GOMP_parallel"), let thread = dlsym(process, "omp_get_thread_num"),
              let threads = dlsym(process, "omp_get_num_threads") else {
            preconditionFailure("GalaxyKernels: no OpenMP runtime loaded (oneDNN's is libgomp)")
        }
        return (unsafeBitCast(set, to: SetThreads.self), unsafeBitCast(get, to: GetThreads.self), unsafeBitCast(parallel, to: Parallel.self),
                unsafeBitCast(thread, to: GetThreads.self), unsafeBitCast(threads, to: GetThreads.self))
    }()

    /// Runs `body(thread, threads)` on every thread of an OpenMP team: the threads oneDNN's
    /// primitives run on. Work between primitives handed to other threads competes for the cores
    /// with OpenMP's threads while they spin waiting for the next region (Winograd on conv2: 21
    /// ms with the worker pool, 16 ms here or with GOMP_SPINCOUNT=0).
    static func parallel(_ body: (_ thread: Int, _ threads: Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var work = body
            withUnsafeMutablePointer(to: &work) { pointer in
                functions.parallel({ data in
                    let body = data!.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee
                    body(Int(OpenMP.functions.thread()), Int(OpenMP.functions.threads()))
                }, UnsafeMutableRawPointer(pointer), 0, 0)
            }
        }
    }

    /// The threads the next parallel region of the calling thread will use.
    static func maxThreads() -> Int32 { functions.get() }

    /// Runs `body` with the calling thread's parallel regions limited to `threads`, then
    /// restores the previous limit.
    static func withThreads<T>(_ threads: Int32, _ body: () throws -> T) rethrows -> T {
        let previous = functions.get()
        functions.set(threads)
        defer { functions.set(previous) }
        return try body()
    }
}
