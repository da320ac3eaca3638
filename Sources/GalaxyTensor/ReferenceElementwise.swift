/// The reference loops for elementwise ops, reductions, broadcasting and the matrix product.
extension ReferenceBackend {
    // MARK: Elementwise

    public func binary(_ operation: BinaryOperation, _ a: Tensor, _ b: Tensor) -> Tensor {
        let a = a.plain, b = b.plain
        let shape = Shape.broadcast(a.shape, b.shape)!
        var result = output(shape)
        let aStrides = broadcastStrides(a.shape, to: shape), bStrides = broadcastStrides(b.shape, to: shape)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                result.withUnsafeMutableBufferPointer { pc in
                    forEachIndex(shape) { linear, index in
                        var ia = 0, ib = 0
                        for axis in 0..<index.count { ia += index[axis] * aStrides[axis]; ib += index[axis] * bStrides[axis] }
                        pc[linear] = operation.apply(pa[ia], pb[ib])
                    }
                }
            }
        }
        return result
    }

    public func unary(_ operation: UnaryOperation, _ x: Tensor) -> Tensor {
        let x = x.plain
        var result = output(x.shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { py in
                for i in px.indices { py[i] = operation.apply(px[i]) }
            }
        }
        return result
    }

    public func unaryBackward(_ operation: UnaryOperation, input: Tensor, output y: Tensor, outputGradient: Tensor) -> Tensor {
        let x = input.plain, y = y.plain, dy = outputGradient.plain
        var dx = output(x.shape)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeBufferPointer { py in
                dy.withUnsafeBufferPointer { pdy in
                    dx.withUnsafeMutableBufferPointer { pdx in
                        for i in px.indices { pdx[i] = pdy[i] * operation.derivative(input: px[i], output: py[i]) }
                    }
                }
            }
        }
        return dx
    }

    // MARK: Reductions

    public func sum(_ x: Tensor, axes: [Int]) -> Tensor {
        let x = x.plain
        var shape = x.shape
        for axis in axes { shape[axis] = 1 }
        var result = zeros(shape)
        let strides = broadcastStrides(shape, to: x.shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                forEachIndex(x.shape) { linear, index in
                    var target = 0
                    for axis in 0..<index.count { target += index[axis] * strides[axis] }
                    pr[target] += px[linear]
                }
            }
        }
        return result
    }

    public func broadcast(_ x: Tensor, to shape: [Int]) -> Tensor {
        let x = x.plain
        return gather(x, shape: shape, strides: broadcastStrides(x.shape, to: shape))
    }

    /// result[index] = x[Σ index[axis]·strides[axis]]: broadcasting (zero strides) and permutation
    /// (permuted strides) are both this read.
    func gather(_ x: Tensor, shape: [Int], strides: [Int]) -> Tensor {
        var result = output(shape)
        x.withUnsafeBufferPointer { px in
            result.withUnsafeMutableBufferPointer { pr in
                forEachIndex(shape) { linear, index in
                    var source = 0
                    for axis in 0..<index.count { source += index[axis] * strides[axis] }
                    pr[linear] = px[source]
                }
            }
        }
        return result
    }

    // MARK: Matrix product

    public func matmul(_ a: Tensor, transposeA: Bool, _ b: Tensor, transposeB: Bool) -> Tensor {
        let a = a.plain, b = b.plain
        let m = transposeA ? a.shape[1] : a.shape[0], k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        var c = output([m, n])
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    // i–p–j order: the inner loop runs along a row of C (and of B when not transposed).
                    for i in 0..<m {
                        for j in 0..<n { pc[i * n + j] = 0 }
                        for p in 0..<k {
                            let av = transposeA ? pa[p * m + i] : pa[i * k + p]
                            for j in 0..<n { pc[i * n + j] += av * (transposeB ? pb[j * k + p] : pb[p * n + j]) }
                        }
                    }
                }
            }
        }
        return c
    }
}
