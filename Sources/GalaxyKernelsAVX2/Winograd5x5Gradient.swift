/// The weight gradient of a 5×5 convolution by Winograd's F(5×5, 2×2).
///
/// Each 2×2 tile of the output gradient, with the 6×6 input block under it, contributes a 5×5
/// correlation to the weight gradient: dW = Aᵀ[Σ_tiles (G·dy·Gᵀ) ⊙ (Bᵀ·x·B)]·A with the same
/// points (and so the same Bᵀ) as the forward pass. The sum over tiles moves inside the
/// transforms: 36 matrix products [outputs × tiles]·[tiles × inputs] with 2.8× fewer multiplies
/// than the direct sum, then one output transform per kernel.
///
/// The tiles are summed in chunks of fixed size, each from zero, and the chunks' sums added in
/// order: the result does not depend on the thread count.
extension Winograd5x5 {
    /// Blocks of tiles per chunk: a chunk's sums (36 × outputs × inputs) stay in L2 while it runs.
    static let blocksPerChunk = 16

    /// Whether `weightGradient` computes this geometry: input channels in pairs of 8-blocks,
    /// output channels in blocks of 8, an output of whole 2×2 tiles.
    public static func computesWeightGradient(_ g: Geometry) -> Bool {
        g.batch > 0 && g.inputs > 0 && g.inputs % 16 == 0 && g.outputs > 0 && g.outputs % 8 == 0 && g.padding >= 0
            && g.outputHeight > 0 && g.outputHeight % 2 == 0 && g.outputWidth > 0 && g.outputWidth % 2 == 0
    }

    /// dW [outputs, inputs, 5, 5] (plain) from the input `x` and the output gradient `dy` (both
    /// nChw8c), and the sum of `dy` per output channel into `biasGradient` when given.
    public static func weightGradient(input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, _ g: Geometry,
                                      into dw: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?,
                                      parallel: (_ count: Int, _ body: (Range<Int>) -> Void) -> Void) {
        precondition(computesWeightGradient(g), "Winograd5x5: unsupported weight-gradient geometry \(g)")
        let tb = tilesPerBlock, ci = g.inputs, rows = (g.outputs + 5) / 6 * 6   // output channels padded to the kernel's 6 rows
        let tiles = g.batch * (g.outputHeight / 2) * (g.outputWidth / 2)
        let blocks = (tiles + tb - 1) / tb, chunks = (blocks + blocksPerChunk - 1) / blocksPerChunk
        let sumsPerChunk = 36 * rows * ci + g.outputs
        let partial = UnsafeMutablePointer<Float>.allocate(capacity: chunks * sumsPerChunk)
        defer { partial.deallocate() }
        parallel(chunks) { range in
            let v = UnsafeMutablePointer<Float>.allocate(capacity: 36 * tb * ci), u = UnsafeMutablePointer<Float>.allocate(capacity: 36 * tb * rows)
            defer { v.deallocate(); u.deallocate() }
            u.initialize(repeating: 0, count: 36 * tb * rows)   // the padding rows stay zero
            for chunk in range {
                let sums = partial + chunk * sumsPerChunk
                sums.initialize(repeating: 0, count: sumsPerChunk)
                for block in (chunk * blocksPerChunk)..<min(blocks, (chunk + 1) * blocksPerChunk) {
                    let first = block * tb, count = min(tb, tiles - first)
                    transformInputs(x, g, tiles: first..<(first + count), into: v)
                    transformGradients(dy, g, tiles: first..<(first + count), rows: rows, into: u, biasSums: sums + 36 * rows * ci)
                    accumulate(u, v, into: sums, rows: rows, inputs: ci)
                }
            }
        }
        // The chunks' sums in order, then each kernel's output transform.
        let total = partial
        for chunk in 1..<max(chunks, 1) { Vector8Loop.add(partial + chunk * sumsPerChunk, into: total, count: sumsPerChunk) }
        if let biasGradient { biasGradient.update(from: total + 36 * rows * ci, count: g.outputs) }
        transformWeightGradient(total, rows: rows, outputs: g.outputs, inputs: ci, into: dw)
    }

    /// G·dy·Gᵀ of each tile's 2×2 output gradient, into u[36][tilesPerBlock][rows] (the first
    /// `outputs` of each row of `rows`), and each channel's sum of the tile into `biasSums`.
    static func transformGradients(_ dy: UnsafePointer<Float>, _ g: Geometry, tiles: Range<Int>, rows: Int, into u: UnsafeMutablePointer<Float>,
                                   biasSums: UnsafeMutablePointer<Float>) {
        let tb = tilesPerBlock, oh = g.outputHeight, ow = g.outputWidth, tilesAcross = ow / 2, tilesPerImage = tilesAcross * (oh / 2)
        @inline(__always) func transform(_ a: Vector8, _ b: Vector8) -> (Vector8, Vector8, Vector8, Vector8, Vector8, Vector8) {
            let sixth = Vector8(repeating: 1 / 6), twelfth = Vector8(repeating: 1 / 12), twentyFourth = Vector8(repeating: 1 / 24)
            return (a * Vector8(repeating: 1 / 4), -(a + b) * sixth, (b - a) * sixth, a * twentyFourth + b * twelfth, a * twentyFourth - b * twelfth, b)
        }
        withUnsafeTemporaryAllocation(of: Vector8.self, capacity: 12) { buffer in
            let columns = buffer.baseAddress!
            for (slot, tile) in tiles.enumerated() {
                let n = tile / tilesPerImage, ty = (tile % tilesPerImage) / tilesAcross, tx = tile % tilesAcross
                for block in 0..<(g.outputs / 8) {
                    let top = dy + (((n * (g.outputs / 8) + block) * oh + 2 * ty) * ow + 2 * tx) * 8
                    let d00 = load8(top), d01 = load8(top + 8), d10 = load8(top + ow * 8), d11 = load8(top + ow * 8 + 8)
                    store8(load8(biasSums + block * 8) + ((d00 + d01) + (d10 + d11)), biasSums + block * 8)
                    (columns[0], columns[1], columns[2], columns[3], columns[4], columns[5]) = transform(d00, d10)
                    (columns[6], columns[7], columns[8], columns[9], columns[10], columns[11]) = transform(d01, d11)
                    for i in 0..<6 {
                        let r = transform(columns[i], columns[6 + i])
                        let out = u + (i * 6 * tb + slot) * rows + block * 8, step = tb * rows
                        store8(r.0, out); store8(r.1, out + step); store8(r.2, out + 2 * step)
                        store8(r.3, out + 3 * step); store8(r.4, out + 4 * step); store8(r.5, out + 5 * step)
                    }
                }
            }
        }
        // A last, partial block: the unused tiles' rows are zero (their inputs' are too).
        for slot in tiles.count..<tb { for p in 0..<36 { (u + (p * tb + slot) * rows).update(repeating: 0, count: rows) } }
    }

    /// sums[p] += u[p]ᵀ·v[p] for the 36 positions: [rows × tiles]·[tiles × inputs], six rows by
    /// sixteen inputs at a time in twelve accumulators.
    static func accumulate(_ u: UnsafePointer<Float>, _ v: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Float>, rows: Int, inputs ci: Int) {
        let tb = tilesPerBlock
        for p in 0..<36 {
            let up = u + p * tb * rows, vp = v + p * tb * ci, sp = sums + p * rows * ci
            for r in Swift.stride(from: 0, to: rows, by: 6) {
                for c in Swift.stride(from: 0, to: ci, by: 16) {
                    let out = sp + r * ci + c
                    var a00 = load8(out), a01 = load8(out + 8), a10 = load8(out + ci), a11 = load8(out + ci + 8)
                    var a20 = load8(out + 2 * ci), a21 = load8(out + 2 * ci + 8), a30 = load8(out + 3 * ci), a31 = load8(out + 3 * ci + 8)
                    var a40 = load8(out + 4 * ci), a41 = load8(out + 4 * ci + 8), a50 = load8(out + 5 * ci), a51 = load8(out + 5 * ci + 8)
                    for t in 0..<tb {
                        let x = vp + t * ci + c, v0 = load8(x), v1 = load8(x + 8), w = up + t * rows + r
                        var b = Vector8(repeating: w[0]); a00 = a00.addingProduct(b, v0); a01 = a01.addingProduct(b, v1)
                        b = Vector8(repeating: w[1]); a10 = a10.addingProduct(b, v0); a11 = a11.addingProduct(b, v1)
                        b = Vector8(repeating: w[2]); a20 = a20.addingProduct(b, v0); a21 = a21.addingProduct(b, v1)
                        b = Vector8(repeating: w[3]); a30 = a30.addingProduct(b, v0); a31 = a31.addingProduct(b, v1)
                        b = Vector8(repeating: w[4]); a40 = a40.addingProduct(b, v0); a41 = a41.addingProduct(b, v1)
                        b = Vector8(repeating: w[5]); a50 = a50.addingProduct(b, v0); a51 = a51.addingProduct(b, v1)
                    }
                    store8(a00, out); store8(a01, out + 8); store8(a10, out + ci); store8(a11, out + ci + 8)
                    store8(a20, out + 2 * ci); store8(a21, out + 2 * ci + 8); store8(a30, out + 3 * ci); store8(a31, out + 3 * ci + 8)
                    store8(a40, out + 4 * ci); store8(a41, out + 4 * ci + 8); store8(a50, out + 5 * ci); store8(a51, out + 5 * ci + 8)
                }
            }
        }
    }

    /// dW[o][c] = Aᵀ·M·A (6×6 → 5×5) for every kernel, from sums[36][rows][inputs].
    static func transformWeightGradient(_ sums: UnsafePointer<Float>, rows: Int, outputs: Int, inputs ci: Int, into dw: UnsafeMutablePointer<Float>) {
        let a: [[Float]] = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 0], [0, 1, 1, 16, 16, 1]]   // Aᵀ, 5 × 6
        var m = [Float](repeating: 0, count: 36), half = [Float](repeating: 0, count: 30)
        for o in 0..<outputs {
            for c in 0..<ci {
                for p in 0..<36 { m[p] = sums[(p * rows + o) * ci + c] }
                for i in 0..<5 { for j in 0..<6 { var s: Float = 0; for k in 0..<6 { s += a[i][k] * m[k * 6 + j] }; half[i * 6 + j] = s } }
                let kernel = dw + (o * ci + c) * 25
                for i in 0..<5 { for j in 0..<5 { var s: Float = 0; for k in 0..<6 { s += half[i * 6 + k] * a[j][k] }; kernel[i * 5 + j] = s } }
            }
        }
    }
}

/// Eight lanes at a time over contiguous floats.
enum Vector8Loop {
    /// total[i] += x[i] for i < count.
    static func add(_ x: UnsafePointer<Float>, into total: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count { store8(load8(total + i) + load8(x + i), total + i); i += 8 }
        while i < count { total[i] += x[i]; i += 1 }
    }
}
