import Testing
import GalaxyTensor
import GalaxyNetwork
import TestSupport

@Suite("Views and parts")
struct PartsTests {
    let view0 = TestSupport.random([2, 3, 69, 69], seed: 1), view45 = TestSupport.random([2, 3, 69, 69], seed: 2)

    @Test func fastStackMatchesTheTensorOpDefinition() {
        let fast = Parts.stack(view0: view0, view45: view45), reference = Parts.stackByTensorOps(view0: view0, view45: view45)
        #expect(fast.shape == [32, 3, 45, 45])
        #expect(fast.scalars == reference.scalars)
    }

    @Test func viewCentreLandsAtTheSamePlaceInEveryPart() {
        let parts = Parts.stack(view0: view0, view45: view45).scalars
        for j in 0..<16 {
            let view = j / 4 < 2 ? view0 : view45
            let centre = view.scalars[34 * 69 + 34]  // image 0, channel 0, pixel (34, 34)
            #expect(parts[(j * 2) * 3 * 45 * 45 + 34 * 45 + 34] == centre, "block \(j)")
        }
    }

    @Test func rotatingTheViewsBy90DegreesPermutesTheParts() {
        let original = Parts.stack(view0: view0, view45: view45)
        let turned = Parts.stack(view0: view0.rotated90(turns: 1), view45: view45.rotated90(turns: 1))
        func block(_ t: Tensor, _ j: Int) -> [Float] { t.sliced(axis: 0, (j * 2)..<(j * 2 + 2)).scalars }
        for view in 0..<4 {
            for k in 0..<4 {
                // Plain views: part k of the turned view is part k+1 of the original; mirrored: k−1.
                let source = view % 2 == 0 ? (k + 1) % 4 : (k + 3) % 4
                #expect(block(turned, 4 * view + k) == block(original, 4 * view + source), "view \(view) part \(k)")
            }
        }
    }
}
