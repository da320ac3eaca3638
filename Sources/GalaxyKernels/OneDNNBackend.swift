import CDNNL
#if canImport(Glibc)
import Glibc
#endif
import COpenBLAS
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

    public init() {}

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
    private static let functions: (set: SetThreads, get: GetThreads) = {
        let process = dlopen(nil, RTLD_NOW)
        guard let set = dlsym(process, "omp_set_num_threads"), let get = dlsym(process, "omp_get_max_threads") else {
            preconditionFailure("GalaxyKernels: no OpenMP runtime loaded (oneDNN's is libgomp)")
        }
        return (unsafeBitCast(set, to: SetThreads.self), unsafeBitCast(get, to: GetThreads.self))
    }()

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
