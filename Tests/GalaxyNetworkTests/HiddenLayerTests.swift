import Foundation
import Testing
import GalaxyTensor
import GalaxyAutodiff
import GalaxyLayers
import GalaxyNetwork
import TestSupport

/// The hidden layers a forward pass can keep (what `galaxynet embed` writes).
@Suite("Hidden layers")
struct HiddenLayerTests {
    /// The last kept layer is exactly what the output layer reads: its activations times the
    /// output weights plus the bias are the raw scores; every named layer has the units it says.
    @Test func theLastHiddenLayerIsWhatTheOutputLayerReads() throws {
        var g = SeededGenerator(seed: 5)
        let model = GalaxyModel(try ModelConfiguration.named("small"), generator: &g, backend: ReferenceBackend.shared)
        #expect(model.hiddenLayerNames == ["features", "dense1"])
        #expect(model.hiddenUnits("nope") == nil && model.hiddenUnits("dense2") == nil)
        let parts = Variable(Tensor.randomNormal(shape: [32, 3, 45, 45], standardDeviation: 0.3, generator: &g))
        for name in model.hiddenLayerNames {
            var context = ForwardContext.inference
            let forward = model.forward(parts, &context, keeping: name)
            #expect(forward.hidden?.shape == [2, model.hiddenUnits(name)!], "\(name): \(forward.hidden?.shape ?? [])")
        }
        var context = ForwardContext.inference
        let forward = model.forward(parts, &context, keeping: "dense1")
        let h = forward.hidden!.value.scalars, w = model.output.weight.value.scalars, b = model.output.bias.value.scalars
        let units = model.hiddenUnits("dense1")!, answers = b.count, scores = forward.scores.value.scalars
        for image in 0..<2 {
            for a in 0..<answers {
                let expected = (0..<units).reduce(b[a]) { $0 + h[image * units + $1] * w[$1 * answers + a] }
                #expect(abs(expected - scores[image * answers + a]) <= 1e-4 * max(1, abs(expected)))
            }
        }
        // Keeping a layer changes nothing else.
        var plain = ForwardContext.inference
        #expect(model.forward(parts, &plain).answers.value.scalars == forward.answers.value.scalars)
        #expect(model.forward(parts, &plain).hidden == nil)
    }
}
