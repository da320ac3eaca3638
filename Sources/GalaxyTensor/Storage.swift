import Synchronization

/// The heap buffer behind a `Tensor`: 64-byte aligned Float32 memory, shared between tensor
/// values until one of them writes (copy-on-write).
///
/// Host memory (`arena == nil`) is what the CPU backends compute on. A device backend keeps its
/// tensors in its own `DeviceArena`; that memory is reachable only through
/// `deviceMemory(owner:)`, by the backend that owns the arena, so host code that reads tensor
/// memory directly instead of asking the backend for a copy stops with a message.
///
/// Buffers are recycled through `BufferPool`: a training step allocates the same shapes every
/// time, and handing freshly mapped pages to the kernels costs more than the arithmetic at
/// batch 16 (page faults), so a freed buffer waits for the next request of the same size.
public final class TensorStorage: @unchecked Sendable {
    /// Number of Float32 elements the buffer holds.
    public let count: Int
    private let address: UnsafeMutablePointer<Float>
    /// The device arena that owns this memory; nil for host memory.
    public let arena: (any DeviceArena)?

    /// Allocates `count` uninitialised host elements (from the pool when one of that size is free).
    public init(uninitializedCount count: Int) {
        self.count = count
        self.address = BufferPool.shared.take(count: count)
        self.arena = nil
    }

    /// Allocates `count` uninitialised elements that belong to `arena` (never pooled with host memory).
    public init(uninitializedCount count: Int, arena: any DeviceArena) {
        self.count = count
        self.address = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64).bindMemory(to: Float.self, capacity: max(count, 1))
        self.arena = arena
    }

    /// Start of a host buffer; valid for `count` elements for the lifetime of this object.
    public var pointer: UnsafeMutablePointer<Float> {
        require(arena == nil, "TensorStorage: host code read device memory directly; ask the tensor's backend for a copy (Tensor.scalars, Backend.withHostScalars)")
        return address
    }

    /// The memory of a device buffer, for the backend that owns `owner`.
    public func deviceMemory(owner: any DeviceArena) -> UnsafeMutablePointer<Float> {
        require(arena === owner, "TensorStorage: the memory belongs to another arena")
        return address
    }

    /// Allocates `count` elements set to `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.update(repeating: value, count: count)
    }

    /// A new storage holding a copy of this one's elements.
    public func copy() -> TensorStorage {
        let other = arena.map { TensorStorage(uninitializedCount: count, arena: $0) } ?? TensorStorage(uninitializedCount: count)
        other.address.update(from: address, count: count)
        return other
    }

    deinit {
        if arena == nil { BufferPool.shared.give(address, count: count) } else { UnsafeMutableRawPointer(address).deallocate() }
    }
}

/// Memory owned by a device backend (a GPU's, or the simulated device of the tests).
public protocol DeviceArena: AnyObject, Sendable {}

/// A process-wide cache of freed tensor buffers, keyed by exact element count.
///
/// It is an allocator, not model state: nothing about a run depends on it except speed.
/// The cache is bounded so a change of shapes (a new batch size, say) cannot hoard memory.
public final class BufferPool: Sendable {
    public static let shared = BufferPool(limitBytes: 3 << 30)

    private struct State {
        // Addresses rather than pointers: the state must be Sendable to live in a Mutex.
        var free: [Int: [UInt]] = [:]
        var cachedBytes = 0
    }
    private let state = Mutex(State())
    private let limitBytes: Int

    init(limitBytes: Int) { self.limitBytes = limitBytes }

    /// Bytes held in the cache right now (freed buffers awaiting reuse).
    public var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    func take(count: Int) -> UnsafeMutablePointer<Float> {
        let reused: UInt? = state.withLock { state in
            guard var list = state.free[count], let last = list.popLast() else { return nil }
            state.free[count] = list.isEmpty ? nil : list
            state.cachedBytes -= Self.bytes(count)
            return last
        }
        if let reused { return UnsafeMutablePointer<Float>(bitPattern: reused)! }
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Self.bytes(count), alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let address = UInt(bitPattern: pointer)
        let limit = limitBytes
        let kept = state.withLock { state -> Bool in
            guard state.cachedBytes + Self.bytes(count) <= limit else { return false }
            state.free[count, default: []].append(address)
            state.cachedBytes += Self.bytes(count)
            return true
        }
        if !kept { UnsafeMutableRawPointer(pointer).deallocate() }
    }

    /// Returns every cached buffer to the system.
    public func drain() {
        let lists = state.withLock { state -> [[UInt]] in
            defer { state.free = [:]; state.cachedBytes = 0 }
            return Array(state.free.values)
        }
        for list in lists { for address in list { UnsafeMutableRawPointer(bitPattern: address)!.deallocate() } }
    }

    private static func bytes(_ count: Int) -> Int { max(count, 1) * MemoryLayout<Float>.stride }
}
