/// A backend-private memory layout (for example oneDNN's channel-blocked `nChw16c`).
///
/// Tensors normally hold their elements row-major ("plain"). A fast backend may leave a layer's
/// output in a layout of its own so that the next layer of the same backend can read it without
/// a reorder; anything else asks for `Tensor.plain` first. The type is opaque on purpose: no C
/// type of any backend appears in the public API.
public protocol OpaqueLayout: AnyObject, Sendable, CustomStringConvertible {}

/// An n-dimensional array of Float32 values with value semantics.
///
/// Copies share one 64-byte-aligned buffer until one of them is written (copy-on-write).
/// Images use NCHW. Every tensor knows the `Backend` that computes on it, the way a tensor
/// knows its device in other frameworks; ops on two tensors need the same backend.
public struct Tensor: @unchecked Sendable {
    /// The extent of each axis, outermost first.
    public let shape: [Int]
    /// The buffer; longer than `count` only for padded opaque layouts.
    public private(set) var storage: TensorStorage
    /// Non-nil when the elements are in a backend-private order (see `OpaqueLayout`).
    public let layout: (any OpaqueLayout)?
    /// The kernels that compute on this tensor.
    public let backend: any Backend

    /// Wraps existing storage; `layout == nil` means `storage` holds `shape` row-major.
    public init(shape: [Int], storage: TensorStorage, layout: (any OpaqueLayout)? = nil, backend: any Backend) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        require(layout != nil || storage.count >= shape.reduce(1, *),
                     "Tensor: storage of \(storage.count) elements is too small for shape \(shape)")
        self.shape = shape
        self.storage = storage
        self.layout = layout
        self.backend = backend
    }

    /// A tensor of `shape` holding `scalars` in row-major order, in `backend`'s memory.
    public init(shape: [Int], scalars: [Float], backend: any Backend = ReferenceBackend.shared) {
        let count = shape.reduce(1, *)
        require(scalars.count == count, "Tensor: \(scalars.count) scalars given for shape \(shape) (\(count) elements)")
        self = scalars.withUnsafeBufferPointer { backend.makeTensor(shape: shape, scalars: $0) }
    }

    /// A tensor of `shape` with every element equal to `value`.
    public init(repeating value: Float, shape: [Int], backend: any Backend = ReferenceBackend.shared) {
        self = backend.makeTensor(shape: shape, repeating: value)
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int], backend: any Backend = ReferenceBackend.shared) {
        self.init(repeating: 0, shape: shape, backend: backend)
    }

    /// A scalar (rank-0) tensor.
    public init(scalar: Float, backend: any Backend = ReferenceBackend.shared) {
        self.init(shape: [], scalars: [scalar], backend: backend)
    }

    /// Uninitialised host memory for a CPU backend's kernel to fill completely.
    public init(uninitialized shape: [Int], backend: any Backend) {
        require(backend.isHostMemory, "Tensor(uninitialized:): \(backend.name) keeps its tensors off the host; use its makeTensor")
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)), backend: backend)
    }

    /// Gaussian values with the given mean and standard deviation, drawn from `generator`.
    public static func randomNormal(shape: [Int], mean: Float = 0, standardDeviation: Float,
                                    generator: inout SeededGenerator,
                                    backend: any Backend = ReferenceBackend.shared) -> Tensor {
        var values = [Float](repeating: 0, count: shape.reduce(1, *))
        // Box–Muller pairs: both deviates of each pair are used (initialising 42M weights
        // one deviate at a time is needlessly slow).
        var i = 0
        while i < values.count {
            let (a, b) = generator.nextNormalPair()
            values[i] = mean + standardDeviation * a
            if i + 1 < values.count { values[i + 1] = mean + standardDeviation * b }
            i += 2
        }
        return Tensor(shape: shape, scalars: values, backend: backend)
    }

    /// Values uniform in [low, high), drawn from `generator`.
    public static func randomUniform(shape: [Int], low: Float = 0, high: Float = 1,
                                     generator: inout SeededGenerator,
                                     backend: any Backend = ReferenceBackend.shared) -> Tensor {
        let values = (0..<shape.reduce(1, *)).map { _ in low + (high - low) * generator.nextUniform() }
        return Tensor(shape: shape, scalars: values, backend: backend)
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// Number of axes.
    public var rank: Int { shape.count }

    /// The same values in row-major order (a reorder when the layout is opaque, free otherwise).
    public var plain: Tensor { layout == nil ? self : backend.makePlain(self) }

    /// The same values computed on by another backend: a transfer through host memory, free
    /// for a plain tensor between two host backends.
    public func on(_ other: any Backend) -> Tensor {
        if other === backend { return self }
        if backend.isHostMemory && other.isHostMemory {
            let p = plain
            return Tensor(shape: p.shape, storage: p.storage, backend: other)
        }
        return backend.withHostScalars(self) { other.makeTensor(shape: shape, scalars: $0) }
    }

    /// All elements in row-major order (a copy in host memory, asked of the backend).
    public var scalars: [Float] {
        backend.withHostScalars(self) { Array($0) }
    }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        require(count == 1, "Tensor.scalar: shape \(shape) has \(count) elements, not 1")
        return backend.withHostScalars(self) { $0[0] }
    }

    /// Reads the elements in row-major order; the tensor must be plain and in host memory.
    /// Backends use this; everything else asks the backend (`scalars`, `Backend.withHostScalars`).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        require(layout == nil, "Tensor: direct element access needs a plain layout; use .plain first")
        return try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Writes the elements in row-major order, copying the buffer first if another value shares it.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        require(layout == nil, "Tensor: direct element access needs a plain layout; use .plain first")
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// Whether this value is the only owner of its buffer (an in-place update will not copy).
    public mutating func isUniquelyOwned() -> Bool { isKnownUniquelyReferenced(&storage) }

    /// The same elements viewed with another shape of equal element count (no copy when plain).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var newShape = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            require(known > 0 && count % known == 0, "reshape: cannot infer -1 in \(newShape) for shape \(shape)")
            newShape[inferred] = count / known
        }
        require(newShape.reduce(1, *) == count,
                     "reshape: shape \(shape) (\(count) elements) cannot become \(newShape) (\(newShape.reduce(1, *)) elements)")
        let p = plain
        return Tensor(shape: newShape, storage: p.storage, backend: backend)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let values = scalars
        let shown = values.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(values.count > 8 ? ", …" : "")])"
    }
}

/// Helpers for row-major shapes.
public enum Shape {
    /// Row-major strides (in elements) of `shape`.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// The source (row, column) of output (row, column) after rotating an h×w plane by `turns` × 90°
    /// counter-clockwise as displayed (NumPy rot90): one turn reads in[c][w−1−r].
    @inline(__always)
    public static func rotate90Source(row r: Int, column c: Int, turns: Int, height h: Int, width w: Int) -> (row: Int, column: Int) {
        switch ((turns % 4) + 4) % 4 {
        case 0: (r, c)
        case 1: (c, w - 1 - r)
        case 2: (h - 1 - r, w - 1 - c)
        default: (h - 1 - c, r)
        }
    }

    /// The NumPy broadcast of two shapes, or nil when they are incompatible.
    public static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if x == y || y == 1 { result[i] = x } else if x == 1 { result[i] = y } else { return nil }
        }
        return result
    }
}
