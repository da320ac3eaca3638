import Foundation
import Testing
import GalaxyTensor
import GalaxyImaging
import GalaxyNetwork
import TestSupport

/// The images a model reads are part of its configuration: one band changes the first convolution.
@Suite("Cutout formats in the model")
struct CutoutConfigurationTests {
    @Test func aOneBandModelTakesOnePlane() throws {
        var c = try ModelConfiguration.named("small")
        #expect(!c.json.contains("cutoutFormat"), "an SDSS model's file is unchanged")
        let colourParameters = c.parameterCount
        c.cutout = CutoutFormat(bands: 1, size: 256, pixelScale: 0.262)
        let again = try ModelConfiguration.decode(Data(c.json.utf8), file: "model.json")
        #expect(again.cutout == CutoutFormat(bands: 1, size: 256, pixelScale: 0.262))
        // conv1 has 16 filters of 6×6: two planes fewer are 2 × 16 × 36 weights fewer.
        #expect(again.parameterCount == colourParameters - 2 * 16 * 36)
        var g = SeededGenerator(seed: 2)
        let model = GalaxyModel(again, generator: &g, backend: ReferenceBackend.shared)
        #expect(model.parameterCount == again.parameterCount)
        let floats = (0..<(2 * again.cutout.viewFloats)).map { _ in Float(g.nextUniform()) }
        let answers = model.detached().answers(view0: Array(floats.prefix(again.cutout.viewFloats)), view45: Array(floats.suffix(again.cutout.viewFloats)))
        #expect(answers.count == 37 && answers.allSatisfy(\.isFinite))
        c.cutout = .sdss
        #expect(c.cutoutFormat == nil)

        var broken = try ModelConfiguration.named("small")
        broken.cutoutFormat = CutoutFormat(bands: 4)
        #expect(throws: (any Error).self) { try ModelConfiguration.decode(Data(broken.json.utf8), file: "model.json") }
        #expect(broken.problem == "4 bands: a cutout has 1 (one band) or 3 (colour)")
    }
}
