import ArgumentParser
import GalaxyCore
import GalaxyImaging

/// `galaxynet montage`: a PNG grid of JPEGs, to look at images without other tools.
struct MontageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "montage", abstract: "Write a PNG grid of JPEG images.")

    @Argument(help: "Image files (JPEG).") var images: [String]
    @Option(help: "Output PNG.") var out: String
    @Option(help: "Images per row.") var columns = 4
    @Option(help: "Shrink factor (1 = full size).") var shrink = 2

    func validate() throws {
        guard columns > 0, shrink > 0 else { throw ValidationError("--columns and --shrink must be positive") }
        try OutputPath.check(out, extensions: ["png"], inputs: images)
    }

    func run() throws {
        let decoded = try images.map { try ImageSource.display($0).shrunk(by: shrink) }
        try PNG.write(RGBImage.grid(decoded, columns: columns), to: out)
        print("wrote \(out) (\(decoded.count) images)")
    }
}
