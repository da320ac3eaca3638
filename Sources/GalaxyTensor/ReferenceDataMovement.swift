/// The reference loops for permutes, slices, concatenation, rotations, flips, maxout and log-softmax.
extension ReferenceBackend {
    // MARK: Data movement

    public func permute(_ x: Tensor, axes: [Int]) -> Tensor {
        let x = x.plain
        let shape = axes.map { x.shape[$0] }
        let sourceStrides = Shape.strides(x.shape)
        return gather(x, shape: shape, strides: axes.map { sourceStrides[$0] })
    }

    public func slice(_ x: Tensor, axis: Int, range: Range<Int>) -> Tensor {
        let x = x.plain
        var shape = x.shape
        shape[axis] = range.count
        let outer = x.shape[..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
        var result = output(shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                for o in 0..<outer {
                    for (j, i) in range.enumerated() {
                        for e in 0..<inner { pr[(o * range.count + j) * inner + e] = px[(o * x.shape[axis] + i) * inner + e] }
                    }
                }
            }
        }
        return result
    }

    public func concatenate(_ xs: [Tensor], axis: Int) -> Tensor {
        let xs = xs.map(\.plain)
        var shape = xs[0].shape
        shape[axis] = xs.map { $0.shape[axis] }.reduce(0, +)
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var result = output(shape)
        result.withUnsafeMutableBufferPointer { pr in
            var offset = 0
            for x in xs {
                let extent = x.shape[axis]
                x.withUnsafeBufferPointer { px in
                    for o in 0..<outer {
                        for i in 0..<extent {
                            for e in 0..<inner { pr[(o * shape[axis] + offset + i) * inner + e] = px[(o * extent + i) * inner + e] }
                        }
                    }
                }
                offset += extent
            }
        }
        return result
    }

    public func rotate90(_ x: Tensor, turns: Int) -> Tensor {
        let x = x.plain
        let turns = ((turns % 4) + 4) % 4
        let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
        var shape = x.shape
        if turns % 2 == 1 { shape[x.rank - 2] = w; shape[x.rank - 1] = h }
        let planes = x.count / max(h * w, 1)
        let oh = shape[x.rank - 2], ow = shape[x.rank - 1]
        var result = output(shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                for p in 0..<planes {
                    for r in 0..<oh {
                        for c in 0..<ow {
                            let (sr, sc) = Shape.rotate90Source(row: r, column: c, turns: turns, height: h, width: w)
                            pr[p * oh * ow + r * ow + c] = px[p * h * w + sr * w + sc]
                        }
                    }
                }
            }
        }
        return result
    }

    public func flipHorizontal(_ x: Tensor) -> Tensor {
        let x = x.plain
        let w = x.shape[x.rank - 1], rows = x.count / max(w, 1)
        var result = output(x.shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                for r in 0..<rows { for c in 0..<w { pr[r * w + c] = px[r * w + (w - 1 - c)] } }
            }
        }
        return result
    }

    // MARK: Maxout and softmax

    public func maxout(_ x: Tensor, groupSize k: Int) -> Tensor {
        let x = x.plain
        var shape = x.shape
        shape[x.rank - 1] /= k
        var result = output(shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                for g in pr.indices {
                    var best = px[g * k]
                    for j in 1..<max(k, 1) { best = max(best, px[g * k + j]) }
                    pr[g] = best
                }
            }
        }
        return result
    }

    public func maxoutBackward(input: Tensor, groupSize k: Int, outputGradient: Tensor) -> Tensor {
        let x = input.plain, dy = outputGradient.plain
        var dx = zeros(x.shape)
        x.withUnsafeBufferPointer { px in
            dy.withUnsafeBufferPointer { pdy in
                dx.withUnsafeMutableBufferPointer { pdx in
                    for g in pdy.indices {
                        // The first maximum of the group takes the gradient (ties are measure-zero).
                        var best = g * k
                        for j in 1..<max(k, 1) where px[g * k + j] > px[best] { best = g * k + j }
                        pdx[best] = pdy[g]
                    }
                }
            }
        }
        return dx
    }

    public func logSoftmax(_ x: Tensor) -> Tensor {
        let x = x.plain
        let rows = x.shape[0], cols = x.shape[1]
        var result = output(x.shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                for r in 0..<rows {
                    var top = -Float.infinity
                    for c in 0..<cols { top = max(top, px[r * cols + c]) }
                    var total: Float = 0
                    for c in 0..<cols { total += Foundationless.exp(px[r * cols + c] - top) }
                    let logTotal = top + Foundationless.log(total)
                    for c in 0..<cols { pr[r * cols + c] = px[r * cols + c] - logTotal }
                }
            }
        }
        return result
    }

    public func logSoftmaxBackward(output y: Tensor, outputGradient: Tensor) -> Tensor {
        let y = y.plain, dy = outputGradient.plain
        let rows = y.shape[0], cols = y.shape[1]
        var dx = output(y.shape)
        y.withUnsafeBufferPointer { py in
            dy.withUnsafeBufferPointer { pdy in
                dx.withUnsafeMutableBufferPointer { pdx in
                    for r in 0..<rows {
                        var total: Float = 0
                        for c in 0..<cols { total += pdy[r * cols + c] }
                        for c in 0..<cols { pdx[r * cols + c] = pdy[r * cols + c] - Foundationless.exp(py[r * cols + c]) * total }
                    }
                }
            }
        }
        return dx
    }
}
