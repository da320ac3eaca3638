import GalaxyTensor
import GalaxyImaging

/// The 4 views and 16 aligned parts of original-solution-spec.md §4.1.
///
/// Views: the 0° view, its left–right mirror, the 45° view, its mirror. Part k of a view V is
/// the top-left 45×45 corner of rot90(V, k) (counter-clockwise as displayed): each part holds a
/// different quadrant turned so that the view centre (34, 34) lands at the same place and the
/// galaxy's edge is always at the top-left. Parts are stacked along the batch axis as 16 blocks
/// of B images, block j = 4·view + part, so one conv stack processes all of them.
public enum Parts {
    public static let viewSize = ViewTransform.viewSize, partSize = 45, count = 16

    /// [B·bands·69·69] floats × 2 (flat view planes, as the decoders and the augmentation pipeline
    /// produce them) → [16·B, bands, 45, 45] parts in `backend`'s memory, by direct index mapping
    /// on the host (one pass, no intermediate rotated copies) and one transfer.
    /// `stackByTensorOps` is the same definition in tensor ops.
    public static func stack(view0: [Float], view45: [Float], bands: Int = 3, backend: any Backend = ReferenceBackend.shared) -> Tensor {
        let n = viewSize, p = partSize, perView = bands * n * n
        require(view0.count % perView == 0 && view0.count == view45.count,
                "Parts.stack: \(view0.count) and \(view45.count) floats are not B views of \(bands)×69×69")
        let batch = view0.count / perView
        var out = [Float](repeating: 0, count: 16 * batch * bands * p * p)
        out.withUnsafeMutableBufferPointer { o in
            for view in 0..<4 {
                (view < 2 ? view0 : view45).withUnsafeBufferPointer { v in
                    for k in 0..<4 {
                        let gather = Self.sourceOffsets[(view % 2) * 4 + k]
                        for b in 0..<batch { for c in 0..<bands {
                            let input = v.baseAddress! + (b * bands + c) * n * n
                            let output = o.baseAddress! + (((4 * view + k) * batch + b) * bands + c) * p * p
                            for i in 0..<(p * p) { output[i] = input[gather[i]] }
                        } }
                    }
                }
            }
        }
        return Tensor(shape: [16 * batch, bands, p, p], scalars: out, backend: backend)
    }

    /// The same from [B, bands, 69, 69] view tensors (their values are read back from the backend).
    public static func stack(view0: Tensor, view45: Tensor) -> Tensor {
        require(view0.shape.count == 4 && Array(view0.shape.suffix(2)) == [viewSize, viewSize] && view0.shape == view45.shape,
                "Parts.stack: views must both be [B, bands, 69, 69], got \(view0.shape) and \(view45.shape)")
        return stack(view0: view0.scalars, view45: view45.scalars, bands: view0.shape[1], backend: view0.backend)
    }

    /// For (mirrored, k): the view offset each part pixel reads (rot90 k times, then the mirror).
    static let sourceOffsets: [[Int]] = (0..<8).map { index in
        let mirrored = index >= 4, k = index % 4, n = viewSize, p = partSize
        return (0..<(p * p)).map { i in
            var (y, x) = Shape.rotate90Source(row: i / p, column: i % p, turns: k, height: n, width: n)
            if mirrored { x = n - 1 - x }
            return y * n + x
        }
    }

    /// The definition in tensor ops (mirror, rot90, slice, concatenate), kept for tests.
    public static func stackByTensorOps(view0: Tensor, view45: Tensor) -> Tensor {
        require(view0.shape.count == 4 && Array(view0.shape.suffix(2)) == [viewSize, viewSize] && view0.shape == view45.shape,
                "Parts.stack: views must both be [B, bands, 69, 69], got \(view0.shape) and \(view45.shape)")
        let views = [view0, view0.flippedHorizontally(), view45, view45.flippedHorizontally()]
        var blocks: [Tensor] = []
        for view in views {
            for k in 0..<4 {
                let turned = k == 0 ? view : view.rotated90(turns: k)
                blocks.append(turned.sliced(axis: 2, 0..<partSize).sliced(axis: 3, 0..<partSize))
            }
        }
        return Tensor.concatenate(blocks, axis: 0)
    }
}
