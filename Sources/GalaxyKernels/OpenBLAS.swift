import COpenBLAS
import CDNNL
import GalaxyCore
#if canImport(Glibc)
import Glibc
#endif

/// OpenBLAS, loaded at first use.
///
/// Debian's OpenBLAS 0.3.21 picks its CPU kernels when the library loads and does not know
/// recent Xeons: on this project's machines it falls back to its "Prescott" (SSE3) kernels and
/// runs sgemm at ~32 instead of ~200 GFLOP/s. Loading it ourselves lets us name the kernels
/// that fit the CPU's instruction set first — unless the user (or the machine) already set
/// OPENBLAS_CORETYPE, which is always respected.
enum OpenBLAS {
    typealias Sgemm = @convention(c) (CBLAS_ORDER, CBLAS_TRANSPOSE, CBLAS_TRANSPOSE, blasint, blasint, blasint,
                                      Float, UnsafePointer<Float>?, blasint, UnsafePointer<Float>?, blasint,
                                      Float, UnsafeMutablePointer<Float>?, blasint) -> Void
    typealias CoreName = @convention(c) () -> UnsafeMutablePointer<CChar>?

    // Written once by the lazy initialiser, then only read.
    nonisolated(unsafe) private static let loaded: (handle: UnsafeMutableRawPointer, name: String) = {
        if getenv("OPENBLAS_CORETYPE") == nil, let core = suitableCoreType() {
            setenv("OPENBLAS_CORETYPE", core, 0)
        }
        // The OpenMP build first: it runs in the OpenMP thread pool oneDNN uses. The default
        // (pthreads) build keeps a second pool of threads that spin while oneDNN's spin, and the
        // two fight over the cores (best model, 2 cores: training 12 % and 60-way prediction
        // 20 % slower; docs/performance.md).
        for name in openMPBuild + ["libopenblas.so.0", "libopenblas.so"] {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) { return (handle, name) }
        }
        fatalError("GalaxyKernels: cannot load OpenBLAS (libopenblas.so.0): install libopenblas0 (make test does)")
    }()

    /// Debian's OpenMP build of OpenBLAS (package libopenblas0-openmp), unless OPENBLAS_LIBRARY
    /// names another library file (another CBLAS — MKL's libmkl_rt — for comparisons:
    /// bench/kernel-libraries.sh).
    private static var openMPBuild: [String] {
        if let path = getenv("OPENBLAS_LIBRARY") { return [String(cString: path)] }
        return ["/usr/lib/\(multiarch)/openblas-openmp/libopenblas.so.0"]
    }

    #if arch(x86_64)
    private static let multiarch = "x86_64-linux-gnu"
    #else
    private static let multiarch = "aarch64-linux-gnu"
    #endif

    /// The library file loaded (for benchmark reports).
    static var path: String { loaded.name }

    static let sgemm: Sgemm = symbol("cblas_sgemm")


    /// The kernel family OpenBLAS runs (e.g. "SkylakeX").
    static var coreName: String {
        guard let pointer = dlsym(loaded.handle, "openblas_get_corename") else { return "not OpenBLAS" }
        return unsafeBitCast(pointer, to: CoreName.self)().map { String(cString: $0) } ?? "unknown"
    }

    /// The threads OpenBLAS uses (OPENBLAS_NUM_THREADS or OMP_NUM_THREADS, else the cores).
    static var threads: Int {
        guard let pointer = dlsym(loaded.handle, "openblas_get_num_threads") else { return Parallelism.computeThreads }
        return Int(unsafeBitCast(pointer, to: (@convention(c) () -> Int32).self)())
    }

    private static func symbol<T>(_ name: String) -> T {
        guard let pointer = dlsym(loaded.handle, name) else { fatalError("GalaxyKernels: OpenBLAS has no symbol \(name)") }
        return unsafeBitCast(pointer, to: T.self)
    }

    /// The OpenBLAS core type matching the CPU flags in /proc/cpuinfo, if any is clearly right.
    static func suitableCoreType() -> String? {
        let flags = CPUFlags.current
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }
}

/// The instruction-set flags of the machine's CPU, from /proc/cpuinfo (empty where it cannot be read).
enum CPUFlags {
    static let current: Set<String> = {
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            let text = String(cString: line!)
            guard text.hasPrefix("flags") else { continue }
            return Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init))
        }
        return []
    }()
}

/// What the kernel libraries actually run on this machine (after DNNL_MAX_CPU_ISA and
/// OPENBLAS_CORETYPE), for benchmarks that must say which path they measured.
public enum BLASInfo {
    /// OpenBLAS's kernel family (e.g. "Haswell", "SkylakeX").
    public static var coreName: String { OpenBLAS.coreName }

    /// Which OpenBLAS build runs: "openmp" (sharing oneDNN's thread pool) or "pthreads"; for MKL
    /// loaded in its place, its threading layer.
    public static var threading: String {
        if OpenBLAS.path.contains("mkl") { return "MKL " + (getenv("MKL_THREADING_LAYER").map { String(cString: $0) } ?? "INTEL") }
        return OpenBLAS.path.contains("openmp") ? "openmp" : "pthreads"
    }

    /// oneDNN's version, e.g. "2.7.3".
    public static var oneDNNVersion: String {
        let v = dnnl_version().pointee
        return "\(v.major).\(v.minor).\(v.patch)"
    }

    /// All of it, as a run's provenance records it.
    public static var provenance: Provenance.Kernels {
        Provenance.Kernels(oneDNNVersion: oneDNNVersion, oneDNNISA: oneDNNISA, blasLibrary: OpenBLAS.path.split(separator: "/").last.map(String.init) ?? OpenBLAS.path,
                           blasCore: coreName, blasThreading: threading, blasThreads: OpenBLAS.threads)
    }

    /// The instruction set oneDNN's JIT kernels use (e.g. "avx2", "avx512_core").
    public static var oneDNNISA: String {
        switch dnnl_get_effective_cpu_isa() {
        case dnnl_cpu_isa_sse41: "sse41"
        case dnnl_cpu_isa_avx: "avx"
        case dnnl_cpu_isa_avx2: "avx2"
        case dnnl_cpu_isa_avx2_vnni: "avx2_vnni"
        case dnnl_cpu_isa_avx512_core: "avx512_core"
        case dnnl_cpu_isa_avx512_core_vnni: "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core_bf16: "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_amx: "avx512_core_amx"
        case let other: "isa 0x" + String(other.rawValue, radix: 16)
        }
    }
}
