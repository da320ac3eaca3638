import Foundation
import CMPI
import GalaxyTensor
import GalaxyTraining

/// How this process was started: alone, or as one rank of an MPI job (`mpirun`, or `srun` with
/// PMIx/PMI under Slurm).
public enum Launcher {
    /// The environment variables an MPI launcher sets for its ranks.
    static let markers = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"]

    /// Whether an MPI launcher started this process.
    public static var isMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return markers.contains { environment[$0] != nil }
    }

    /// The MPI world under a launcher, otherwise one process (MPI is then never initialised, so
    /// no MPI daemon or network is needed).
    public static func processGroup() -> any ProcessGroup { isMPI ? MPIProcessGroup.world : SingleProcess() }
}

/// The ranks of `MPI_COMM_WORLD` as a `ProcessGroup`. MPI is initialised on first use (MPI calls
/// come from one thread: `MPI_THREAD_FUNNELED`) and finalised at exit.
public final class MPIProcessGroup: ProcessGroup, @unchecked Sendable {
    public static let world = MPIProcessGroup()

    public let rank: Int
    public let size: Int
    let communicator: MPI_Comm
    /// Gradients are summed in buckets of at least this many floats (16 MB), each started as soon
    /// as it fills so that communication overlaps the rest of the backward pass.
    public var bucketFloats = 4 << 20

    private init() {
        var provided: Int32 = 0
        check(MPI_Init_thread(nil, nil, gn_mpi_thread_funneled(), &provided), "MPI_Init_thread")
        atexit { MPI_Finalize() }
        communicator = gn_mpi_comm_world()
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(communicator, &r)
        MPI_Comm_size(communicator, &s)
        rank = Int(r)
        size = Int(s)
    }

    public func sum(_ values: inout [Double]) {
        let count = Int32(values.count)
        values.withUnsafeMutableBufferPointer { v in
            check(MPI_Allreduce(gn_mpi_in_place(), v.baseAddress, count, gn_mpi_double(), gn_mpi_sum(), communicator), "MPI_Allreduce")
        }
    }

    public func gather(_ value: UInt64) -> [UInt64] {
        var mine = value
        var all = [UInt64](repeating: 0, count: size)
        all.withUnsafeMutableBufferPointer { a in
            check(MPI_Allgather(&mine, 1, gn_mpi_uint64(), a.baseAddress, 1, gn_mpi_uint64(), communicator), "MPI_Allgather")
        }
        return all
    }

    /// Waits until every rank has arrived.
    public func barrier() { check(MPI_Barrier(communicator), "MPI_Barrier") }

    public func gradientSum(count: Int) -> GradientSum { BucketedGradientSum(group: self, count: count) }
}

/// Gradients packed into buckets in the order autodiff finishes them (the last layers first),
/// each summed with a non-blocking in-place allreduce as soon as it holds `bucketFloats`.
/// Every rank finishes gradients in the same order (same model, same tape), so the buckets match.
final class BucketedGradientSum: GradientSum {
    struct Entry { let index: Int; let shape: [Int]; let backend: any Backend; let offset: Int }
    struct Bucket { var buffer: UnsafeMutableBufferPointer<Float>; var entries: [Entry]; var request: MPI_Request? }

    let group: MPIProcessGroup
    var pending: [(tensor: Tensor, index: Int)] = [], pendingFloats = 0
    var started: [Bucket] = []
    let count: Int

    init(group: MPIProcessGroup, count: Int) { self.group = group; self.count = count }

    func ready(_ index: Int, _ gradient: Tensor) {
        pending.append((gradient, index))
        pendingFloats += gradient.count
        if pendingFloats >= group.bucketFloats { start() }
        progress()
    }

    /// Copies the pending gradients into one buffer (asking their backend for host values) and
    /// starts summing it.
    func start() {
        guard !pending.isEmpty else { return }
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: pendingFloats)
        var entries: [Entry] = [], offset = 0
        for (tensor, index) in pending {
            tensor.backend.withHostScalars(tensor) { values in
                _ = UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + values.count)]).initialize(from: values)
            }
            entries.append(Entry(index: index, shape: tensor.shape, backend: tensor.backend, offset: offset))
            offset += tensor.count
        }
        var request: MPI_Request? = gn_mpi_request_null()
        check(MPI_Iallreduce(gn_mpi_in_place(), buffer.baseAddress, Int32(buffer.count), gn_mpi_float(), gn_mpi_sum(),
                             group.communicator, &request), "MPI_Iallreduce")
        started.append(Bucket(buffer: buffer, entries: entries, request: request))
        pending = []
        pendingFloats = 0
    }

    /// Lets MPI move the started sums along while the backward pass computes (Open MPI progresses
    /// non-blocking collectives inside MPI calls).
    func progress() {
        var requests = started.map(\.request), flag: Int32 = 0
        MPI_Testall(Int32(requests.count), &requests, &flag, gn_mpi_statuses_ignore())
        for i in started.indices { started[i].request = requests[i] }
    }

    func finish() -> [Tensor] {
        start()
        var requests = started.map(\.request)
        check(MPI_Waitall(Int32(requests.count), &requests, gn_mpi_statuses_ignore()), "MPI_Waitall")
        var result = [Tensor?](repeating: nil, count: count)
        for bucket in started {
            for e in bucket.entries {
                let n = e.shape.reduce(1, *)
                result[e.index] = e.backend.makeTensor(shape: e.shape, scalars: UnsafeBufferPointer(rebasing: bucket.buffer[e.offset..<(e.offset + n)]))
            }
            bucket.buffer.deallocate()
        }
        started = []
        return result.enumerated().map { i, t in
            guard let t else { fatalError("BucketedGradientSum: no gradient for parameter \(i)") }
            return t
        }
    }
}

/// Stops with the MPI error text (an MPI failure is not something a run can recover from).
func check(_ code: Int32, _ what: String) {
    guard code != MPI_SUCCESS else { return }
    var text = [CChar](repeating: 0, count: Int(MPI_MAX_ERROR_STRING) + 1), length: Int32 = 0
    MPI_Error_string(code, &text, &length)
    let message = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    fatalError("\(what) failed: \(message)")
}
