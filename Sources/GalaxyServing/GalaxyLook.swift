import Foundation
import GalaxyCore
import GalaxyTensor
import GalaxyImaging
import GalaxyNetwork
import GalaxyZoo
import GalaxyPrediction

/// What the page shows of one galaxy: the image as the browser can draw it, the ellipse source
/// extraction measures, the 16 parts the network sees of the plain view, each question's answers
/// (within-question fractions, with 90 % intervals for a vote model, and how much of the crowd
/// would be asked it), the likeliest path, and neighbours where the server has embeddings.
struct GalaxyLook: Sendable {
    let configuration: ModelConfiguration

    struct Answer: Codable { var name: String, text: String, fraction: Float, spread: Float, lower: Float?, upper: Float? }
    struct Question: Codable { var key: String, text: String, asked: Float, answers: [Answer] }
    struct Ellipse: Codable { var x: Double, y: Double, a: Double, b: Double, theta: Double, detected: Bool }
    struct Neighbour: Codable { var id: String, similarity: Float }
    struct Description: Codable {
        var image: String, parts: String, size: Int
        var ellipse: Ellipse
        var questions: [Question]
        var path: String
        var neighbours: [Neighbour]?
    }

    func describe(_ image: any SourceImage, _ p: Prediction) -> Description {
        let tree = configuration.tree, cutout = configuration.cutout
        // A centred model's prediction carries the extraction it used; otherwise it is measured here, once.
        let e = p.extraction ?? SourceExtractor.extract(image)
        let within = tree.withinQuestion(p.answers)
        let predictive = p.predictive(tree: tree)
        let questions = tree.questions.map { q -> Question in
            let mass = tree.requiredMass(of: q, in: p.answers)
            return Question(key: q.key, text: q.text, asked: predictive?.proportionAsked[q.number - 1] ?? mass, answers: q.answers.map { a in
                let interval = predictive?.fractionInterval(a)
                return Answer(name: a.key, text: a.text, fraction: within[a.column], spread: mass > 0 ? p.spread[a.column] / mass : 0,
                              lower: interval?.lower, upper: interval?.upper)
            })
        }
        return Description(image: Self.dataURL(image.displayImage), parts: Self.dataURL(partsGrid(image, extraction: e, cutout: cutout)), size: image.width,
                           ellipse: Ellipse(x: e.x, y: e.y, a: e.a, b: e.b, theta: e.theta, detected: e.detected),
                           questions: questions, path: tree.describePath(p.answers))
    }

    /// The 16 parts of the plain view (centred on the extraction for a centred model) as the
    /// network receives them, in a 4 × 4 grid.
    func partsGrid(_ image: any SourceImage, extraction: SourceExtraction, cutout: CutoutFormat) -> RGBImage {
        let t = cutout.plainTransform.centred(on: configuration.centred ? extraction : nil)
        let (v0, v45) = AffineWarp.views(image, t, cutout: cutout)
        let parts = Parts.stack(view0: v0, view45: v45, bands: cutout.bands).scalars
        let side = Parts.partSize, bands = cutout.bands, plane = side * side
        let tiles = (0..<Parts.count).map { k -> RGBImage in
            var pixels = [UInt8](repeating: 0, count: plane * 3)
            for i in 0..<plane {
                for c in 0..<3 {
                    let v = parts[(k * bands + (bands == 1 ? 0 : c)) * plane + i]
                    pixels[3 * i + c] = UInt8(max(0, min(255, (v * 255).rounded())))
                }
            }
            return RGBImage(width: side, height: side, pixels: pixels).enlarged(by: 2)
        }
        return RGBImage.grid(tiles, columns: 4, gap: 3)
    }

    static func dataURL(_ image: RGBImage) -> String { "data:image/png;base64," + Data(PNG.encode(image)).base64EncodedString() }
}

extension RGBImage {
    /// Each pixel repeated `factor` × `factor` (small parts made visible).
    func enlarged(by factor: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * height * factor * factor * 3)
        for y in 0..<(height * factor) {
            for x in 0..<(width * factor) {
                let s = 3 * ((y / factor) * width + x / factor), d = 3 * (y * width * factor + x)
                out[d] = pixels[s]; out[d + 1] = pixels[s + 1]; out[d + 2] = pixels[s + 2]
            }
        }
        return RGBImage(width: width * factor, height: height * factor, pixels: out)
    }
}
