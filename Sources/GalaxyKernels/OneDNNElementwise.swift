import CDNNL
import COpenBLAS
import GalaxyTensor

/// OpenBLAS sgemm, vectorised multithreaded elementwise loops, the fused SGD step and leading-axis sums.
extension OneDNNBackend {
    // MARK: Matrix product

    public func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool) -> Tensor {
        let a = a.plain, b = b.plain
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        if Self.isBatchSum(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB) {
            let c = output([m, n])
            ComputePool.serialised {
                OpenMP.withThreads(Self.batchSumThreads(m: m, n: n)) {
                    check(dnnl_sgemm(CChar(UInt8(ascii: "T")), CChar(UInt8(ascii: "N")), Int64(m), Int64(n), Int64(k), 1,
                                     a.storage.pointer, Int64(a.shape[1]), b.storage.pointer, Int64(b.shape[1]), 0, c.storage.pointer, Int64(n)),
                          "sgemm \(m)×\(k)·\(k)×\(n)")
                }
            }
            return c
        }
        // Rows padded with zeros to OpenBLAS's block of 16 where a ragged block costs more than
        // the rows it adds; the padding's results are computed and left unread (the output is
        // the first m rows of the storage).
        let rows = transposeA ? m : Self.paddedRows(m, weightElements: k * n)
        let a16 = rows == m ? a : zeroPadded(a, rows: rows)
        let c = Tensor(shape: [m, n], storage: TensorStorage(uninitializedCount: rows * n), backend: self)
        ComputePool.serialised {
            OpenBLAS.sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                           Int32(rows), Int32(n), Int32(k), 1, a16.storage.pointer, Int32(a16.shape[1]), b.storage.pointer,
                           Int32(b.shape[1]), 0, c.storage.pointer, Int32(n))
        }
        return c
    }

    /// `a` ([r, c], row-major) with zero rows appended up to `rows`.
    private func zeroPadded(_ a: Tensor, rows: Int) -> Tensor {
        let padded = output([rows, a.shape[1]])
        padded.storage.pointer.update(from: a.storage.pointer, count: a.count)
        (padded.storage.pointer + a.count).update(repeating: 0, count: padded.count - a.count)
        return padded
    }

    /// The rows a product of `m` rows is computed with: OpenBLAS's kernels work on blocks of 16
    /// rows, and a ragged last block of 4 or more rows costs more than a whole one (dense1 of
    /// the best model, 8192 → 4096, Haswell kernels: 60 rows 30.1 ms, 64 rows 20.4 ms; 8 rows
    /// 12.4 ms, 16 rows 8.5 ms; SkylakeX kernels: 60 rows 18.4 ms, 64 rows 13.7 ms;
    /// docs/performance.md). Prediction runs 60 views per image; the fast recipe 8 images per
    /// update. Only for large weights, where the copy of the rows is negligible.
    static func paddedRows(_ m: Int, weightElements: Int) -> Int {
        guard weightElements >= 1 << 20, m % 16 >= 4 else { return m }
        return (m + 15) / 16 * 16
    }

    /// A dense layer's weight gradient, xᵀ·g: a large product summed over a short batch axis.
    /// OpenBLAS first zeroes the 134 MB output in a pass of its own (beta = 0) and then reads
    /// and writes it again; oneDNN's sgemm has a kernel for beta = 0 that writes it once. Best
    /// model, dense1 at batch 16: 11.6 → 4.5 ms (AVX-512), 11.4 → 6.0 ms (AVX2);
    /// docs/performance.md. Every other product stays with OpenBLAS, which never splits a sum.
    static func isBatchSum(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> Bool {
        transposeA && !transposeB && k <= 64 && m * n >= 1 << 20
    }

    /// The threads a batch sum may use. oneDNN splits a sum between threads when each would get
    /// too small a part of the product, and the result then depends on the thread count (1100 ×
    /// 1024 summed over 4 differed from 32 threads on with AVX2, while the best model's shapes
    /// were the same bits on 1–128 threads with either ISA). At 2¹⁸ elements per thread — 4× the
    /// smallest share seen split — it never does, so the bits are the same on any machine;
    /// BackendAgreementTests checks 1–64 threads.
    static func batchSumThreads(m: Int, n: Int) -> Int32 {
        min(OpenMP.maxThreads(), Int32(clamping: max(1, (m * n) >> 18)))
    }

    // MARK: Elementwise

    public func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor {
        let a = a.plain, b = b.plain
        let shape = Shape.broadcast(a.shape, b.shape)!
        let total = shape.reduce(1, *)
        // Fast when each operand is the whole output or repeats along leading axes
        // (a bias over a batch, a scalar); other broadcasts use the reference loops.
        func repeats(_ s: [Int]) -> Bool {
            let trimmed = Array(s.drop { $0 == 1 })
            return trimmed.isEmpty || Array(shape.suffix(trimmed.count)) == trimmed
        }
        guard repeats(a.shape), repeats(b.shape) else { return reference.binary(operation, a, b) }
        let c = output(shape)
        let na = a.count, nb = b.count
        let pa = UnsafePointer(a.storage.pointer), pb = UnsafePointer(b.storage.pointer), pc = c.storage.pointer
        // One specialised loop per operation: a closure chosen at run time would not vectorise.
        switch operation {
        case .add: repeatedBinary(pa, na, pb, nb, pc, total, +)
        case .subtract: repeatedBinary(pa, na, pb, nb, pc, total, -)
        case .multiply: repeatedBinary(pa, na, pb, nb, pc, total, *)
        case .divide: repeatedBinary(pa, na, pb, nb, pc, total, /)
        }
        return c
    }

    /// c[i] = f(a[i mod na], b[i mod nb]) where each operand is either the whole output or a block
    /// that repeats along the leading axes.
    @inline(__always)
    private func repeatedBinary(_ pa: UnsafePointer<Float>, _ na: Int, _ pb: UnsafePointer<Float>, _ nb: Int,
                                _ pc: UnsafeMutablePointer<Float>, _ total: Int, _ f: (Float, Float) -> Float) {
        Parallelism.forChunks(count: total) { range in
            if na == total && nb == total {
                Vector.zip(pa, pb, pc, range, f)
            } else if nb == 1 {
                let s = pb[0]
                Vector.map(pa, pc, range) { f($0, s) }
            } else if na == 1 {
                let s = pa[0]
                Vector.map(pb, pc, range) { f(s, $0) }
            } else {
                // One operand repeats with period p; walk the range period by period.
                let p = min(na, nb)
                var i = range.lowerBound
                while i < range.upperBound {
                    let offset = i % p, start = i - offset, end = min(range.upperBound, start + p)
                    let ao = na == total ? pa + start : pa, bo = nb == total ? pb + start : pb
                    Vector.zip(ao, bo, pc + start, offset..<(end - start), f)
                    i = end
                }
            }
        }
    }

    public func unary(_ operation: UnaryOperation, _ x: Tensor) -> Tensor {
        let x = x.plain
        let y = output(x.shape)
        let px = UnsafePointer(x.storage.pointer), py = y.storage.pointer
        Parallelism.forChunks(count: x.count) { range in
            switch operation {
            case .relu: Vector.map(px, py, range) { max($0, 0) }
            case .negate: Vector.map(px, py, range) { -$0 }
            case .square: Vector.map(px, py, range) { $0 * $0 }
            case .addScalar(let s): Vector.map(px, py, range) { $0 + s }
            case .multiplyScalar(let s): Vector.map(px, py, range) { $0 * s }
            case .clip(let lo, let hi):
                Vector.map(px, py, range) { min(max($0, lo), hi) }
            default: for i in range { py[i] = operation.apply(px[i]) }
            }
        }
        return y
    }

    public func unaryBackward(_ operation: UnaryOperation, input: Tensor, output y: Tensor, outputGradient: Tensor) -> Tensor {
        let x = input.plain, y = y.plain, dy = outputGradient.plain
        let dx = output(x.shape)
        let px = UnsafePointer(x.storage.pointer), py = UnsafePointer(y.storage.pointer)
        let pg = UnsafePointer(dy.storage.pointer), pdx = dx.storage.pointer
        Parallelism.forChunks(count: x.count) { range in
            switch operation {
            case .relu: Vector.zip(px, pg, pdx, range) { x, g in x > 0 ? g : 0 }
            case .multiplyScalar(let s): Vector.map(pg, pdx, range) { $0 * s }
            case .addScalar: pdx.advanced(by: range.lowerBound).update(from: pg + range.lowerBound, count: range.count)
            default: for i in range { pdx[i] = pg[i] * operation.derivative(input: px[i], output: py[i]) }
            }
        }
        return dx
    }

    public func sum(_ x: Tensor, axes: [Int]) -> Tensor {
        let x = x.plain
        var shape = x.shape
        for axis in axes { shape[axis] = 1 }
        // Leading axes: column sums of an [outer, inner] matrix (bias gradients over a batch).
        guard !axes.isEmpty, axes == Array(0..<axes.count), axes.count < x.rank else { return reference.sum(x, axes: axes) }
        let outer = axes.map { x.shape[$0] }.reduce(1, *), inner = x.count / max(outer, 1)
        let result = Tensor(zeros: shape, backend: self)
        let px = UnsafePointer(x.storage.pointer), pr = result.storage.pointer
        Parallelism.forChunks(count: inner, minimumChunk: 1024) { range in
            for row in 0..<outer {
                Vector.zip(pr, px + row * inner, pr, range, +)
            }
        }
        return result
    }
}
