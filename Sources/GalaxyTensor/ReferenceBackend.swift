/// The reference backend: every op as plain, obviously correct Swift loops over row-major data.
///
/// It is the definition the fast backend is tested against. A faster host backend that runs
/// some ops with these loops holds its own instance made with `producingFor:` and names each
/// such op (no inheritance): inputs may then arrive in that backend's opaque layout, so every
/// kernel here reads `.plain` inputs, and outputs belong to that backend.
public final class ReferenceBackend: HostMemoryBackend, @unchecked Sendable {
    /// The shared instance (the backend has no state).
    public static let shared = ReferenceBackend()

    /// The backend whose tensors the kernels produce; nil for this backend itself.
    private unowned(unsafe) let owner: (any Backend)?

    public init() { owner = nil }

    /// Reference kernels whose outputs belong to `owner` (a host backend's explicit fallbacks).
    public init(producingFor owner: any Backend) {
        require(owner.isHostMemory, "ReferenceBackend: \(owner.name) is not a host backend; transfer its tensors instead")
        self.owner = owner
    }

    public var name: String { "reference" }
    private var producer: any Backend { owner ?? self }

    public func makePlain(_ x: Tensor) -> Tensor {
        require(x.layout == nil, "\(name): tensor has a layout (\(x.layout!)) this backend does not know")
        return x
    }

    /// A fresh tensor for a kernel's output, owned by the producing backend.
    public func output(_ shape: [Int]) -> Tensor { Tensor(uninitialized: shape, backend: producer) }
    func zeros(_ shape: [Int]) -> Tensor { Tensor(zeros: shape, backend: producer) }
}

// MARK: - Index helpers shared by the reference loops

/// Strides that read `shape` as if broadcast to `target` (0 along broadcast axes).
public func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
    let strides = Shape.strides(padded)
    return zip(padded, strides).map { $0.0 == 1 ? 0 : $0.1 }
}

/// Calls `body(linearIndex, multiIndex)` for every element of `shape` in row-major order.
@inline(__always)
func forEachIndex(_ shape: [Int], _ body: (Int, [Int]) -> Void) {
    let count = shape.reduce(1, *)
    guard count > 0 else { return }
    var index = [Int](repeating: 0, count: shape.count)
    for linear in 0..<count {
        body(linear, index)
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < shape[axis] { break }
            index[axis] = 0
            axis -= 1
        }
    }
}
