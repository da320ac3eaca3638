import Foundation
import Testing
import GalaxyTensor
import TestSupport

@Suite("Tensor values")
struct TensorTests {
    @Test func copyOnWrite() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        var b = a
        #expect(a.storage === b.storage, "copies share storage until written")
        b.withUnsafeMutableBufferPointer { $0[0] = 9 }
        #expect(a.scalars == [1, 2, 3, 4])
        #expect(b.scalars == [9, 2, 3, 4])
        #expect(a.storage !== b.storage)
    }

    @Test func storageIs64ByteAligned() {
        for count in [1, 3, 17, 1000, 4097] {
            let t = Tensor(zeros: [count])
            #expect(UInt(bitPattern: t.storage.pointer) % 64 == 0)
        }
    }

    @Test func reshapeSharesStorageAndInfersOneAxis() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = a.reshaped([3, -1])
        #expect(b.shape == [3, 2])
        #expect(b.storage === a.storage)
    }

    @Test func broadcastingRules() {
        #expect(Shape.broadcast([3, 1], [1, 4]) == [3, 4])
        #expect(Shape.broadcast([2, 3, 4], [4]) == [2, 3, 4])
        #expect(Shape.broadcast([], [5, 2]) == [5, 2])
        #expect(Shape.broadcast([3], [4]) == nil)
        #expect(Shape.broadcast([2, 3], [3, 3]) == nil)
        for backend in TestSupport.backends {
            let a = Tensor(shape: [2, 1], scalars: [1, 2], backend: backend)
            let b = Tensor(shape: [3], scalars: [10, 20, 30], backend: backend)
            #expect((a + b).scalars == [11, 21, 31, 12, 22, 32], "\(backend.name)")
            #expect((b - a).scalars == [9, 19, 29, 8, 18, 28], "\(backend.name)")
            #expect((a * b).shape == [2, 3])
            #expect(a.broadcast(to: [2, 3]).scalars == [1, 1, 1, 2, 2, 2])
            #expect((a + b).sumToShape([2, 1]).scalars == [63, 66])
        }
    }

    @Test func closedFormOps() {
        for backend in TestSupport.backends {
            let x = Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6], backend: backend)
            // NumPy: rot90([[1,2,3],[4,5,6]]) = [[3,6],[2,5],[1,4]]
            #expect(x.rotated90(turns: 1).scalars == [3, 6, 2, 5, 1, 4])
            #expect(x.rotated90(turns: 2).scalars == [6, 5, 4, 3, 2, 1])
            #expect(x.rotated90(turns: 3).scalars == [4, 1, 5, 2, 6, 3])
            #expect(x.rotated90(turns: 4).scalars == x.scalars)
            #expect(x.flippedHorizontally().scalars == [3, 2, 1, 6, 5, 4])
            let m = x.reshaped([2, 3])
            #expect(m.permuted([1, 0]).scalars == [1, 4, 2, 5, 3, 6])
            #expect(m.sliced(axis: 1, 1..<3).scalars == [2, 3, 5, 6])
            #expect(Tensor.concatenate([m, m.sliced(axis: 1, 0..<1)], axis: 1).scalars == [1, 2, 3, 1, 4, 5, 6, 4])
            #expect(m.sum(axes: [0]).scalars == [5, 7, 9])
            #expect(m.mean().scalar == 3.5)
            #expect(Tensor.matmul(m, m, transposeB: true).scalars == [14, 32, 32, 77])
            #expect(m.maxout(groupSize: 3).scalars == [3, 6])
            #expect((m - 3.5).applying(.relu).scalars == [0, 0, 0, 0.5, 1.5, 2.5])
            #expect(m.applying(.clip(low: 2, high: 4)).scalars == [2, 2, 3, 4, 4, 4])
            // A 2x2 box filter of ones sums each window.
            let ones = Tensor(repeating: 1, shape: [1, 1, 2, 2], backend: backend)
            #expect(x.conv2d(weight: ones).scalars == [12, 16])
            #expect(x.conv2d(weight: ones, geometry: .full(kernelHeight: 2, kernelWidth: 2)).shape == [1, 1, 3, 4])
            #expect(x.maxPool2d(.init(window: 2, stride: 1)).output.scalars == [5, 6])
        }
    }

    @Test func seededGeneratorIsReproducible() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let xs = (0..<5).map { _ in a.next() }
        #expect(xs == (0..<5).map { _ in b.next() })
        #expect(xs != (0..<5).map { _ in c.next() })
        var s1 = SeededGenerator(seed: 1, stream: 2, 3), s2 = SeededGenerator(seed: 1, stream: 2, 3), s3 = SeededGenerator(seed: 1, stream: 3, 2)
        let first = s1.next()
        #expect(first == s2.next())
        #expect(first != s3.next())
        var g = SeededGenerator(seed: 5)
        let normals = (0..<20_000).map { _ in Double(g.nextNormal()) }
        let mean = normals.reduce(0, +) / Double(normals.count)
        let variance = normals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(normals.count)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05)
    }
}

@Suite("Shape errors name both shapes")
struct ShapeErrorTests {
    @Test func mismatchedBroadcastStopsWithBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(zeros: [2, 3]) + Tensor(zeros: [4])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("[2, 3]") && message.contains("[4]"), "message was: \(message)")
    }

    @Test func mismatchedMatmulStopsWithBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.matmul(Tensor(zeros: [2, 3]), Tensor(zeros: [4, 5]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("[2, 3]") && message.contains("[4, 5]"), "message was: \(message)")
    }

    @Test func convolutionChannelMismatchIsNamed() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(zeros: [1, 3, 8, 8]).conv2d(weight: Tensor(zeros: [4, 2, 3, 3]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("[1, 3, 8, 8]") && message.contains("[4, 2, 3, 3]"), "message was: \(message)")
    }
}
