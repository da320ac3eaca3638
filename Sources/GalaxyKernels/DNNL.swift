import CDNNL
import GalaxyTensor
import Synchronization

/// Thin, checked wrappers over oneDNN's C API. Nothing here is public: C types stay inside
/// GalaxyKernels.

@inline(__always)
func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
    require(status == dnnl_success, "oneDNN: \(what()) failed with status \(status.rawValue)")
}

/// A memory descriptor and a canonical text key for it (dims, padding, strides, blocks), so
/// descriptors can be compared and used as cache keys.
struct MemoryDescriptor: @unchecked Sendable {
    var raw: dnnl_memory_desc_t
    let key: String

    init(_ raw: dnnl_memory_desc_t) {
        self.raw = raw
        var r = raw
        let n = Int(r.ndims)
        func list(_ t: inout dnnl_dims_t, _ count: Int) -> String {
            withUnsafeBytes(of: &t) { Array($0.bindMemory(to: Int64.self).prefix(count)) }.map(String.init).joined(separator: ",")
        }
        var text = "\(r.data_type.rawValue)|\(r.format_kind.rawValue)|\(list(&r.dims, n))|\(list(&r.padded_dims, n))|\(r.offset0)"
        if r.format_kind == dnnl_blocked {
            let nb = Int(r.format_desc.blocking.inner_nblks)
            text += "|\(list(&r.format_desc.blocking.strides, n))|\(list(&r.format_desc.blocking.inner_blks, nb))|\(list(&r.format_desc.blocking.inner_idxs, nb))"
        }
        key = text
    }

    /// A row-major f32 descriptor for `shape` (`any` lets a primitive choose).
    init(shape: [Int], tag: dnnl_format_tag_t? = nil) {
        var md = dnnl_memory_desc_t()
        let dims = shape.map(Int64.init)
        let plainTag: dnnl_format_tag_t = switch shape.count {
        case 1: dnnl_a
        case 2: dnnl_ab
        case 3: dnnl_abc
        case 4: dnnl_abcd
        default: fatalError("oneDNN: rank \(shape.count) is not supported")
        }
        check(dnnl_memory_desc_init_by_tag(&md, Int32(shape.count), dims, dnnl_f32, tag ?? plainTag), "memory descriptor \(shape)")
        self.init(md)
    }

    static func any(_ shape: [Int]) -> MemoryDescriptor { MemoryDescriptor(shape: shape, tag: dnnl_format_tag_any) }

    var byteCount: Int { var r = raw; return dnnl_memory_desc_get_size(&r) }
    var isPlain: Bool { key == MemoryDescriptor(shape: dims).key }
    var dims: [Int] {
        var r = raw
        return withUnsafeBytes(of: &r.dims) { Array($0.bindMemory(to: Int64.self).prefix(Int(raw.ndims))) }.map(Int.init)
    }

    /// The descriptor of one sample of a batch whose samples are stored one after another
    /// (true of nchw, nhwc and the channel-blocked formats); nil otherwise.
    var singleSample: MemoryDescriptor? {
        guard raw.format_kind == dnnl_blocked, raw.ndims >= 2 else { return nil }
        var one = raw
        let n = Int(raw.dims.0)
        guard n > 0, raw.padded_dims.0 == raw.dims.0 else { return nil }
        one.dims.0 = 1
        one.padded_dims.0 = 1
        let perSample = byteCount / 4 / n
        guard Int(raw.format_desc.blocking.strides.0) == perSample else { return nil }
        return MemoryDescriptor(one)
    }
}

/// A tensor layout chosen by oneDNN (for example nChw16c), carried by tensors between kernels.
final class DNNLLayout: OpaqueLayout, @unchecked Sendable {
    let descriptor: MemoryDescriptor
    init(_ descriptor: MemoryDescriptor) { self.descriptor = descriptor }
    var description: String { "oneDNN layout \(descriptor.key)" }
}

/// A primitive descriptor and its primitive, created once per shape and kept.
final class Primitive: @unchecked Sendable {
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t
    /// The scratch memory an execution needs (user-managed, see `DNNLContext`); nil when none.
    let scratchpad: MemoryDescriptor?

    init(descriptor: dnnl_primitive_desc_t) {
        self.descriptor = descriptor
        var p: dnnl_primitive_t?
        check(dnnl_primitive_create(&p, descriptor), "primitive creation")
        primitive = p!
        let scratch = MemoryDescriptor(dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0).pointee)
        scratchpad = scratch.byteCount > 0 ? scratch : nil
    }

    func memoryDescriptor(_ query: dnnl_query_t) -> MemoryDescriptor {
        MemoryDescriptor(dnnl_primitive_desc_query_md(descriptor, query, 0).pointee)
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }
}

/// The cores' one OpenMP thread pool, which oneDNN and OpenBLAS's OpenMP build share: one caller
/// at a time, process-wide. OpenBLAS's OpenMP build is not safe to call from two threads at once,
/// a oneDNN stream is not for concurrent use, and each context's scratchpad buffer is shared by
/// its executions. Every call uses all the cores anyway, so serialising costs nothing.
enum ComputePool {
    private static let lock = Mutex<Void>(())
    static func serialised<T>(_ body: () -> T) -> T { lock.withLock { _ in body() } }
}

/// The engine, the stream, the primitive cache and the scratchpad.
///
/// Every primitive is created with a user-managed scratchpad (`attributes`) and given one at
/// execution: oneDNN 2.6's own scratchpad is per thread, and a primitive created on one thread and
/// run on another (tests, the prediction workers) read a null one in a Winograd kernel.
final class DNNLContext: @unchecked Sendable {
    let engine: dnnl_engine_t
    let stream: dnnl_stream_t
    private let cache = Mutex<[String: Primitive]>([:])
    /// Attributes for primitives that need nothing else: a user-managed scratchpad.
    let attributes: dnnl_primitive_attr_t
    /// Scratch memory for executions, grown as needed; only touched inside `ComputePool.serialised`.
    private var scratchpad = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
    private var scratchpadBytes = 64

    init() {
        var e: dnnl_engine_t?
        check(dnnl_engine_create(&e, dnnl_cpu, 0), "engine creation")
        engine = e!
        var s: dnnl_stream_t?
        check(dnnl_stream_create(&s, engine, dnnl_stream_default_flags.rawValue), "stream creation")
        stream = s!
        attributes = Self.makeAttributes()
    }

    deinit {
        scratchpad.deallocate()
        dnnl_primitive_attr_destroy(attributes)
    }

    /// Fresh attributes with a user-managed scratchpad (the caller may add post-ops, and destroys them).
    static func makeAttributes() -> dnnl_primitive_attr_t {
        var attr: dnnl_primitive_attr_t?
        check(dnnl_primitive_attr_create(&attr), "attributes")
        check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "scratchpad mode")
        return attr!
    }

    /// The cached primitive for `key`, created by `make` the first time.
    func primitive(_ key: String, make: () -> dnnl_primitive_desc_t) -> Primitive {
        if let p = cache.withLock({ $0[key] }) { return p }
        let p = Primitive(descriptor: make())
        cache.withLock { $0[key] = p }
        return p
    }

    var cachedPrimitiveCount: Int { cache.withLock { $0.count } }

    /// Runs `primitive` with memory objects made for the given (argument, descriptor, pointer) triples.
    func execute(_ primitive: Primitive, _ arguments: [(Int32, MemoryDescriptor, UnsafeMutableRawPointer)]) {
        var memories: [dnnl_memory_t?] = []
        for (_, md, pointer) in arguments {
            var m: dnnl_memory_t?
            var raw = md.raw
            check(dnnl_memory_create(&m, &raw, engine, pointer), "memory creation")
            memories.append(m)
        }
        defer { for m in memories { dnnl_memory_destroy(m) } }
        var args = zip(arguments, memories).map { dnnl_exec_arg_t(arg: $0.0, memory: $1) }
        ComputePool.serialised {
            var scratch: dnnl_memory_t?
            if let scratchMD = primitive.scratchpad {
                if scratchpadBytes < scratchMD.byteCount {
                    scratchpad.deallocate()
                    scratchpadBytes = scratchMD.byteCount
                    scratchpad = UnsafeMutableRawPointer.allocate(byteCount: scratchpadBytes, alignment: 64)
                }
                var raw = scratchMD.raw
                check(dnnl_memory_create(&scratch, &raw, engine, scratchpad), "scratchpad memory")
                args.append(dnnl_exec_arg_t(arg: GN_ARG_SCRATCHPAD, memory: scratch))
            }
            defer { if let scratch { dnnl_memory_destroy(scratch) } }
            check(dnnl_primitive_execute(primitive.primitive, stream, Int32(args.count), args), "execution")
            check(dnnl_stream_wait(stream), "stream wait")
        }
    }

    /// Copies `source` (laid out as `from`) into `destination` (laid out as `to`).
    func reorder(from: MemoryDescriptor, _ source: UnsafeMutableRawPointer, to: MemoryDescriptor, _ destination: UnsafeMutableRawPointer) {
        let p = primitive("reorder \(from.key) -> \(to.key)") {
            var pd: dnnl_primitive_desc_t?
            var f = from.raw, t = to.raw
            check(dnnl_reorder_primitive_desc_create(&pd, &f, engine, &t, engine, attributes), "reorder \(from.key) -> \(to.key)")
            return pd!
        }
        execute(p, [(GN_ARG_FROM, from, source), (GN_ARG_TO, to, destination)])
    }
}
