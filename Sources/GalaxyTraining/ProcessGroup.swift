import GalaxyTensor

/// The processes that train one model together (data parallelism): each holds the whole model,
/// computes the gradients of its share of every batch and takes part in summing them, so that
/// every process applies the same update. `SingleProcess` is the default; the MPI group lives in
/// `GalaxyDistributed` and plugs in here without the trainer knowing how it communicates.
public protocol ProcessGroup: AnyObject {
    /// This process's index, 0 ..< size; rank 0 alone writes files.
    var rank: Int { get }
    var size: Int { get }
    /// Replaces `values` by their element-wise sum over the group (small vectors: losses, flags).
    func sum(_ values: inout [Double])
    /// One value from every rank, in rank order.
    func gather(_ value: UInt64) -> [UInt64]
    /// A summer for the gradients of one backward pass (`count` parameters).
    func gradientSum(count: Int) -> GradientSum
}

/// Sums one backward pass's gradients over a `ProcessGroup`. `ready` receives each gradient as
/// soon as autodiff has finished it, so communication can overlap the rest of the backward pass;
/// `finish` waits for everything and returns the sums in parameter order.
public protocol GradientSum: AnyObject {
    func ready(_ index: Int, _ gradient: Tensor)
    func finish() -> [Tensor]
}

/// One process: sums are the values themselves.
public final class SingleProcess: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func sum(_ values: inout [Double]) {}
    public func gather(_ value: UInt64) -> [UInt64] { [value] }
    public func gradientSum(count: Int) -> GradientSum { Collected(count: count) }

    final class Collected: GradientSum {
        var gradients: [Tensor?]
        init(count: Int) { gradients = Array(repeating: nil, count: count) }
        func ready(_ index: Int, _ gradient: Tensor) { gradients[index] = gradient }
        func finish() -> [Tensor] { gradients.map { $0! } }
    }
}

extension ProcessGroup {
    /// The global batch slots rank `rank` computes: a contiguous share, the first `batch % size`
    /// ranks taking one more.
    public func slots(ofBatch batch: Int) -> Range<Int> {
        let base = batch / size, extra = batch % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }
}

/// A checksum of parameter values (FNV-1a over their bit patterns), equal on every rank exactly
/// when the replicas hold the same weights.
public func parameterChecksum(_ tensors: [Tensor]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for t in tensors {
        t.backend.withHostScalars(t) { values in
            for v in values { hash = (hash ^ UInt64(v.bitPattern)) &* 0x100_0000_01b3 }
        }
    }
    return hash
}
