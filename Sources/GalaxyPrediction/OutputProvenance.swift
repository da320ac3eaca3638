import Foundation
import GalaxyCore
import GalaxyZoo

/// What a prediction output carries of how it was made: a FITS table names GalaxyNet's version,
/// its source, the model's checksum, the test-time views and the kernels in header keywords; a
/// CSV (a Kaggle file allows no comment line) gets a sidecar, `NAME.provenance.json`, with the
/// whole `Provenance` of the process that wrote it.
public enum OutputProvenance {
    /// The sidecar of a CSV output.
    public static func sidecar(for out: String) -> String { (out as NSString).deletingPathExtension + ".provenance.json" }

    /// Every keyword `keywords` may write, in the order `galaxynet info` lists them.
    public static let keywordNames = ["GNVERSN", "GNSOURCE", "GNDATE", "GNBACKND", "GNISA", "GNMODEL", "GNTTA", "GNINPUT"]

    /// The header keywords of a FITS output (8-character names, values within a card).
    public static func keywords(_ p: Provenance) -> [TableKeyword] {
        var cards = [TableKeyword("GNVERSN", p.version, "GalaxyNet version"),
                     TableKeyword("GNSOURCE", String(p.source.prefix(68)), "source GalaxyNet was built from"),
                     TableKeyword("GNDATE", p.started, "when the prediction began (UTC)"),
                     TableKeyword("GNBACKND", p.backend, "compute backend")]
        if let model = p.inputs["model"] { cards.append(TableKeyword("GNMODEL", model, "model checksum: CRC-32 of model.json-weights")) }
        if let views = p.testTimeViews { cards.append(TableKeyword("GNTTA", String(views), "test-time views averaged")) }
        if let input = p.inputs["catalogue"] { cards.append(TableKeyword("GNINPUT", input, "CRC-32 of the input catalogue")) }
        if let k = p.kernels { cards.append(TableKeyword("GNISA", k.oneDNNISA, "instruction set oneDNN ran")) }
        return cards
    }

    /// Records `provenance` for `out`: nothing more for a FITS table (its keywords hold it), a
    /// sidecar otherwise.
    public static func record(_ provenance: Provenance, for out: String) throws {
        guard (out as NSString).pathExtension.lowercased() != "fits" else { return }
        try FileOutput.write(provenance.json + "\n", to: sidecar(for: out))
    }
}

extension Provenance {
    /// This process's provenance as that of a prediction by the model `model` (its fingerprint)
    /// of `input` (a role, "images" or "catalogue", and its checksum), averaging `views`.
    func predicting(model: String, input: (role: String, checksum: String), views: Int) -> Provenance {
        var p = self
        p.inputs.merge(["model": model, input.role: input.checksum]) { _, new in new }
        p.testTimeViews = views
        return p
    }
}
