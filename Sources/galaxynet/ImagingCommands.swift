import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyImaging
import GalaxyNetwork
import GalaxyTensor
import GalaxyZoo

/// `galaxynet inspect IMAGE`: what a person checks first when something looks wrong.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print the source extraction of an image and write a PNG with the detected ellipse, the Petrosian aperture, the two views and the 16 parts.")

    @Argument(help: "A 424×424 JPEG or a FITS cutout (rendered with the options below).") var image: String
    @OptionGroup var fits: FITSOptionGroup
    @Option(help: "Output PNG (default: IMAGE with .inspect.png).") var out: String?
    @Flag(help: "Centre and rescale the views from the source extraction (the centred variants).") var centred = false

    func validate() throws {
        guard FileManager.default.fileExists(atPath: image) else { throw ValidationError("\(image): file not found") }
        try OutputPath.check(out ?? (image as NSString).deletingPathExtension + ".inspect.png", extensions: ["png"], inputs: [image])
    }

    func run() throws {
        let source = try fits.reader.read(image)
        let e = SourceExtractor.extract(source)
        print(String(format: "%@: centre (%.2f, %.2f) px, a %.2f, b %.2f, theta %.1f°, Petrosian radius %.2f px (aperture %.2f), scale %.3f%@",
                     image, e.x, e.y, e.a, e.b, e.theta, e.petrosianRadius, e.petrosianAperture, e.scale, e.detected ? "" : " (nothing detected)"))
        var overlay = source.displayImage
        if e.detected {
            let angle = e.theta * Double.pi / 180
            overlay.drawEllipse(x: e.x, y: e.y, a: 3 * e.a, b: 3 * e.b, angle: angle, colour: (0, 255, 0))
            let q = max(0.3, e.b / e.a)
            // No Petrosian radius (the profile never fell to η): no aperture to draw, and the
            // centred views fall back to scale 1, said here rather than skipped in silence.
            if !e.petrosianRadius.isFinite, let fallback = e.fallback { print("no Petrosian radius could be measured: \(fallback)") }
            else { overlay.drawEllipse(x: e.x, y: e.y, a: e.petrosianAperture, b: e.petrosianAperture * q, angle: angle, colour: (255, 200, 0)) }
        }
        let transform = centred ? ViewTransform(centreX: e.x, centreY: e.y, scale: e.scale) : ViewTransform()
        let (v0, v45) = AffineWarp.views(source, transform)
        let views = [RGBImage(planes: v0, width: ViewTransform.viewSize, height: ViewTransform.viewSize), RGBImage(planes: v45, width: ViewTransform.viewSize, height: ViewTransform.viewSize)]
        let parts = Parts.stack(view0: v0, view45: v45)
        let partImages = (0..<16).map { j in RGBImage(planes: parts.sliced(axis: 0, j..<(j + 1)).scalars, width: 45, height: 45).enlarged(by: 2) }

        var canvas = RGBImage(width: 424 + 12 + 2 * 207 + 12 + 4 * 94 + 8, height: 424 + 40, fill: (30, 30, 30))
        canvas.paste(overlay, x: 4, y: 24)
        BitmapFont.draw("image: 3a x 3b ellipse (green), Petrosian aperture 2 r_P (yellow)", into: &canvas, x: 4, y: 6)
        for (i, view) in views.enumerated() {
            canvas.paste(view.enlarged(by: 3), x: 440 + i * 211, y: 24)
            BitmapFont.draw(i == 0 ? "view 0" : "view 45", into: &canvas, x: 440 + i * 211, y: 6)
        }
        let gridX = 440 + 2 * 211 + 8
        BitmapFont.draw("16 parts: rows plain, mirrored, 45, 45 mirrored", into: &canvas, x: 440, y: 24 + 207 + 10)
        for (j, part) in partImages.enumerated() {
            canvas.paste(part, x: (j < 8 ? 440 : gridX - 8) + (j % 4) * 94, y: 24 + 207 + 24 + ((j / 4) % 2) * 94)
        }
        let path = out ?? (image as NSString).deletingPathExtension + ".inspect.png"
        try PNG.write(canvas, to: path)
        print("wrote \(path)")
    }
}

/// `galaxynet colour-pca DIR`: the colour-noise direction for another survey's images.
struct ColourPCACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "colour-pca",
        abstract: "Recompute the top RGB principal component (scaled by its eigenvalue) from a folder of JPEGs.")

    @Argument(help: "Folder of JPEGs.") var folder: String
    @Option(help: "Use at most this many images.") var limit = 2000

    func run() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jpg") }.sorted().prefix(limit)
        guard !names.isEmpty else { throw ValidationError("\(folder) holds no .jpg files") }
        let images = try names.map { try ImageSource.read("\(folder)/\($0)").displayImage }
        let (w, eigenvalue, direction) = Augmentation.principalComponent(images)
        print("\(images.count) images")
        print(String(format: "eigenvalue %.6f, unit direction (%.4f, %.4f, %.4f)", eigenvalue, direction[0], direction[1], direction[2]))
        print(String(format: "w = (%.8f, %.8f, %.8f)   (the original: (-0.0148366, -0.01253134, -0.01040762))", w[0], w[1], w[2]))
    }
}
