import GalaxyTensor

/// The optimiser kernels, parallel over elements. At batch 16 the dense layers' 42M weights make
/// these passes memory-bound: each reads and writes every element exactly once.
extension OneDNNBackend {
    public func sgdStep(parameter: inout Tensor, velocity: inout Tensor, gradient: Tensor,
                                 learningRate eta: Float, momentum mu: Float, nesterov: Bool) {
        let g = gradient.plain
        let pg = UnsafePointer(g.storage.pointer)
        velocity.withUnsafeMutableBufferPointer { v in
            parameter.withUnsafeMutableBufferPointer { w in
                let pv = v.baseAddress!, pw = w.baseAddress!
                // One pass over the 42M weights: at batch 16 memory traffic, not arithmetic, is the cost.
                Parallelism.forChunks(count: w.count) { range in
                    if nesterov {
                        for i in range { let step = mu * pv[i] - eta * pg[i]; pv[i] = step; pw[i] += mu * step - eta * pg[i] }
                    } else {
                        for i in range { let step = mu * pv[i] - eta * pg[i]; pv[i] = step; pw[i] += step }
                    }
                }
            }
        }
    }

    public func adamWStep(parameter: inout Tensor, firstMoment: inout Tensor, secondMoment: inout Tensor, gradient: Tensor,
                          _ p: AdamWParameters) {
        let g = gradient.plain
        let pg = UnsafePointer(g.storage.pointer)
        firstMoment.withUnsafeMutableBufferPointer { m in
            secondMoment.withUnsafeMutableBufferPointer { v in
                parameter.withUnsafeMutableBufferPointer { w in
                    let pm = m.baseAddress!, pv = v.baseAddress!, pw = w.baseAddress!
                    Parallelism.forChunks(count: w.count) { range in
                        var i = range.lowerBound
                        while i + 4 <= range.upperBound {
                            var w4 = UnsafeRawPointer(pw + i).loadUnaligned(as: SIMD4<Float>.self)
                            var m4 = UnsafeRawPointer(pm + i).loadUnaligned(as: SIMD4<Float>.self)
                            var v4 = UnsafeRawPointer(pv + i).loadUnaligned(as: SIMD4<Float>.self)
                            p.update(&w4, &m4, &v4, UnsafeRawPointer(pg + i).loadUnaligned(as: SIMD4<Float>.self))
                            UnsafeMutableRawPointer(pw + i).storeBytes(of: w4, as: SIMD4<Float>.self)
                            UnsafeMutableRawPointer(pm + i).storeBytes(of: m4, as: SIMD4<Float>.self)
                            UnsafeMutableRawPointer(pv + i).storeBytes(of: v4, as: SIMD4<Float>.self)
                            i += 4
                        }
                        for j in i..<range.upperBound { p.update(&pw[j], &pm[j], &pv[j], pg[j]) }
                    }
                }
            }
        }
    }

    public func movingAverageStep(average: inout Tensor, value: Tensor, decay: Float) {
        let x = value.plain
        let px = UnsafePointer(x.storage.pointer), keep = 1 - decay
        average.withUnsafeMutableBufferPointer { a in
            let pa = a.baseAddress!
            Parallelism.forChunks(count: a.count) { range in
                for i in range { pa[i] += keep * (px[i] - pa[i]) }
            }
        }
    }
}
