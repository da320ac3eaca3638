/// Elementwise loops over raw buffers. They are written as plain scalar loops on purpose: LLVM
/// vectorises them to AVX-512 as well as hand-written SIMD16 code, while some SIMD library
/// calls (pointwiseMax) compile to scalarised code ~15x slower.
enum Vector {
    /// out[i] = f(a[i]) over `range`.
    @inline(__always)
    static func map(_ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ f: (Float) -> Float) {
        for i in range { out[i] = f(a[i]) }
    }

    /// out[i] = f(a[i], b[i]) over `range`.
    @inline(__always)
    static func zip(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ range: Range<Int>,
                    _ f: (Float, Float) -> Float) {
        for i in range { out[i] = f(a[i], b[i]) }
    }
}
