/// The three stages of `Winograd5x5.correlate` on one block of tiles, eight channels to a vector.
typealias Vector8 = SIMD8<Float>

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> Vector8 { UnsafeRawPointer(p).loadUnaligned(as: Vector8.self) }
@inline(__always) func store8(_ v: Vector8, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector8.self) }

extension Winograd5x5 {
    /// Bᵀ·d over six values `stride` apart, into six values `stride` apart.
    @inline(__always)
    static func inputTransform(_ d: UnsafeMutablePointer<Vector8>, _ o: UnsafeMutablePointer<Vector8>, stride s: Int) {
        let d0 = d[0], d1 = d[s], d2 = d[2 * s], d3 = d[3 * s], d4 = d[4 * s], d5 = d[5 * s]
        let four = Vector8(repeating: 4), five = Vector8(repeating: 5), two = Vector8(repeating: 2)
        o[0] = (four * d0 - five * d2) + d4
        o[s] = (d3 + d4) - four * (d1 + d2)
        o[2 * s] = (four * (d1 - d2) + d4) - d3
        o[3 * s] = (two * (d3 - d1) + d4) - d2
        o[4 * s] = (two * (d1 - d3) + d4) - d2
        o[5 * s] = (four * d1 - five * d3) + d5
    }

    /// Bᵀ·d·B of each tile's 6×6 input block, channel block by channel block, into
    /// v[36][tilesPerBlock][inputs]. Positions outside the image (padding) read as zero.
    static func transformInputs(_ x: UnsafePointer<Float>, _ g: Geometry, tiles: Range<Int>, into v: UnsafeMutablePointer<Float>) {
        let tb = tilesPerBlock, ci = g.inputs, tilesAcross = g.outputWidth / 2, tilesPerImage = tilesAcross * (g.outputHeight / 2)
        withUnsafeTemporaryAllocation(of: Vector8.self, capacity: 72) { buffer in
            let d = buffer.baseAddress!, e = d + 36
            for (slot, tile) in tiles.enumerated() {
                let n = tile / tilesPerImage, ty = (tile % tilesPerImage) / tilesAcross, tx = tile % tilesAcross
                let top = 2 * ty - g.padding, left = 2 * tx - g.padding
                let inside = top >= 0 && left >= 0 && top + 6 <= g.height && left + 6 <= g.width
                for block in 0..<(ci / 8) {
                    let plane = x + ((n * (ci / 8) + block) * g.height * g.width) * 8
                    for i in 0..<6 {
                        for j in 0..<6 {
                            let row = top + i, column = left + j
                            d[i * 6 + j] = inside || (row >= 0 && row < g.height && column >= 0 && column < g.width)
                                ? load8(plane + (row * g.width + column) * 8) : .zero
                        }
                    }
                    for j in 0..<6 { inputTransform(d + j, e + j, stride: 6) }
                    for i in 0..<6 { inputTransform(e + i * 6, d + i * 6, stride: 1) }
                    for p in 0..<36 { store8(d[p], v + (p * tb + slot) * ci + block * 8) }
                }
            }
            // A last, partial block: the unused tiles' rows are zero (their products are not read).
            for slot in tiles.count..<tb { for p in 0..<36 { (v + (p * tb + slot) * ci).update(repeating: 0, count: ci) } }
        }
    }

    /// m[p] = v[p]·u[p] for the 36 positions: [tilesPerBlock × inputs]·[inputs × outputs], six
    /// tiles by sixteen outputs at a time in twelve accumulators.
    static func multiply(_ v: UnsafePointer<Float>, _ u: UnsafePointer<Float>, into m: UnsafeMutablePointer<Float>, tiles tb: Int, inputs ci: Int,
                         outputs co: Int) {
        for p in 0..<36 {
            let vp = v + p * tb * ci, up = u + p * ci * co, mp = m + p * tb * co
            for r in Swift.stride(from: 0, to: tb, by: 6) {
                let v0 = vp + r * ci, v1 = v0 + ci, v2 = v1 + ci, v3 = v2 + ci, v4 = v3 + ci, v5 = v4 + ci
                for c in Swift.stride(from: 0, to: co, by: 16) {
                    var a00 = Vector8.zero, a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00
                    var a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00
                    var w = up + c
                    for k in 0..<ci {
                        let u0 = load8(w), u1 = load8(w + 8)
                        var b = Vector8(repeating: v0[k]); a00 = a00.addingProduct(b, u0); a01 = a01.addingProduct(b, u1)
                        b = Vector8(repeating: v1[k]); a10 = a10.addingProduct(b, u0); a11 = a11.addingProduct(b, u1)
                        b = Vector8(repeating: v2[k]); a20 = a20.addingProduct(b, u0); a21 = a21.addingProduct(b, u1)
                        b = Vector8(repeating: v3[k]); a30 = a30.addingProduct(b, u0); a31 = a31.addingProduct(b, u1)
                        b = Vector8(repeating: v4[k]); a40 = a40.addingProduct(b, u0); a41 = a41.addingProduct(b, u1)
                        b = Vector8(repeating: v5[k]); a50 = a50.addingProduct(b, u0); a51 = a51.addingProduct(b, u1)
                        w += co
                    }
                    let out = mp + r * co + c
                    store8(a00, out); store8(a01, out + 8); store8(a10, out + co); store8(a11, out + co + 8)
                    store8(a20, out + 2 * co); store8(a21, out + 2 * co + 8); store8(a30, out + 3 * co); store8(a31, out + 3 * co + 8)
                    store8(a40, out + 4 * co); store8(a41, out + 4 * co + 8); store8(a50, out + 5 * co); store8(a51, out + 5 * co + 8)
                }
            }
        }
    }

    /// Aᵀ·m over six values `stride` apart: the two outputs.
    @inline(__always)
    static func outputTransform(_ m: UnsafePointer<Vector8>, stride s: Int) -> (Vector8, Vector8) {
        let sum1 = m[s] + m[2 * s], difference1 = m[s] - m[2 * s], sum2 = m[3 * s] + m[4 * s], difference2 = m[3 * s] - m[4 * s]
        return ((m[0] + sum1) + sum2, (difference1 + 2 * difference2) + m[5 * s])
    }

    /// Aᵀ·m·A of each tile's 36 products, plus the bias, through ReLU if asked, into its 2×2 outputs.
    static func transformOutputs(_ m: UnsafePointer<Float>, _ g: Geometry, tiles: Range<Int>, bias: Bias, relu: Bool,
                                 into y: UnsafeMutablePointer<Float>) {
        let tb = tilesPerBlock, co = g.outputs, oh = g.outputHeight, ow = g.outputWidth, tilesAcross = ow / 2, tilesPerImage = tilesAcross * (oh / 2)
        withUnsafeTemporaryAllocation(of: Vector8.self, capacity: 48) { buffer in
            let t = buffer.baseAddress!, rows = t + 36
            for (slot, tile) in tiles.enumerated() {
                let n = tile / tilesPerImage, ty = (tile % tilesPerImage) / tilesAcross, tx = tile % tilesAcross
                for block in 0..<(co / 8) {
                    for p in 0..<36 { t[p] = load8(m + (p * tb + slot) * co + block * 8) }
                    for j in 0..<6 { (rows[j], rows[6 + j]) = outputTransform(t + j, stride: 6) }
                    for i in 0..<2 {
                        let (left, right) = outputTransform(rows + 6 * i, stride: 1)
                        let position = ((block * oh + 2 * ty + i) * ow + 2 * tx) * 8
                        var y0 = left, y1 = right
                        switch bias {
                        case .none: break
                        case .perChannel(let b): let value = load8(b + block * 8); y0 += value; y1 += value
                        case .perPosition(let b): y0 += load8(b + position); y1 += load8(b + position + 8)
                        }
                        if relu { y0 = y0.replacing(with: 0, where: y0 .< 0); y1 = y1.replacing(with: 0, where: y1 .< 0) }
                        let out = y + n * co * oh * ow + position
                        store8(y0, out); store8(y1, out + 8)
                    }
                }
            }
        }
    }
}
