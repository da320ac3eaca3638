import Foundation
import GalaxyCore
import GalaxyNetwork
import GalaxyModels

/// A trained run's model card (Markdown), after Mitchell et al. 2019: what the model answers and
/// for which cutouts, how it was trained and on what (with the data's checksums), its figures,
/// what it is for and where it stops being trustworthy. `galaxynet export` puts it in the model
/// file; `galaxynet card` prints it.
public enum ModelCard {
    public static func markdown(_ run: RunFolder) throws -> String {
        let (configuration, options) = try run.loadConfiguration()
        let state = run.hasCheckpoint ? try run.readState() : nil
        let dataset = try? run.recordedDataset(), sessions = (try? run.sessions()) ?? []
        let validations = run.readLog().compactMap { e in e.validation_rmse.map { (step: e.step, rmse: $0) } }
        let tree = configuration.tree, cutout = configuration.cutout, step = state?.step ?? 0
        let votes = configuration.objective == .dirichletMultinomial
        var lines = ["# \(configuration.name): Galaxy Zoo morphology (\(tree.name) tree)", "",
                     "GalaxyNet \(GalaxyNetBuild.version) export of `\(URL(fileURLWithPath: run.path).lastPathComponent)` at update \(step) of \(options.steps); "
                     + "model checksum `\(try run.model.fingerprint())`.", "",
                     "## What it does", "",
                     "Answers the \(tree.name) decision tree's \(tree.questions.count) questions (\(tree.outputCount) answers) for "
                     + "\(cutout.bands == 1 ? "single-band" : "\(cutout.bands)-band colour") cutouts of \(cutout.size) × \(cutout.size) pixels at "
                     + "\(cutout.pixelScale)″/px centred on the galaxy, "
                     + (votes ? "as Dirichlet concentrations: expected vote fractions with 90 % credible intervals and the share of volunteers each question reaches."
                        : "as the vote fractions the crowd would give (trained on mean squared error)."),
                     "The network: \(configuration.summary) (\(configuration.parameterCount) parameters), averaged over test-time views at prediction.", "",
                     "## Training", ""]
        if let dataset {
            lines.append("- Data: `\(dataset.path)`" + (dataset.labelsChecksum.map { ", labels CRC-32 `\($0)`" } ?? "")
                         + (sessions.first?.inputs["images"].map { ", image list CRC-32 `\($0)`" } ?? "") + ".")
        }
        lines.append("- Recipe: \(options.recipe ?? "faithful"), \(options.optimizer?.rawValue ?? "nesterov"), batch \(options.batchSize), "
                     + "\(options.steps) updates (\(options.steps * options.batchSize) images), seed \(options.seed), loss \(configuration.objective.rawValue)"
                     + (options.fractionWeight.map { $0 > 0 ? " with fraction weight \($0)" : "" } ?? "") + ".")
        for (n, session) in sessions.enumerated() {
            lines.append("- Session \(n + 1) (from update \(session.firstStep ?? 0)): GalaxyNet \(session.version), \(session.source); \(session.backend)"
                         + (session.kernels.map { ", ISA \($0.oneDNNISA)" } ?? "") + ", \(session.processes) process\(session.processes == 1 ? "" : "es")"
                         + (session.batchJob.map { ", \($0)" } ?? "") + ".")
        }
        lines += ["", "## Figures", ""]
        if let last = validations.last, let best = validations.min(by: { $0.rmse < $1.rmse }) {
            lines.append(String(format: "- Validation RMSE (the run's held-out tenth, Kaggle sense): %.4f at update %d; best %.4f at update %d.",
                                last.rmse, last.step, best.rmse, best.step))
        } else {
            lines.append("- No validation recorded.")
        }
        lines += ["", "## Intended use", "",
                  "Morphology of galaxies in cutouts made like the training images (same survey, bands, pixel scale and centring): ranking and "
                  + "selecting galaxies by how volunteers would answer, as features for finetuning, or as a prior for further classification.", "",
                  "## Limits", ""]
        if let dataset, FileManager.default.fileExists(atPath: dataset.path + "/truth.csv") {
            lines.append("- Trained on a GalaxyNet mock universe (the data folder holds truth.csv): a test of the software, not a model of real galaxies.")
        }
        lines += ["- The answers describe how Galaxy Zoo volunteers respond, with their biases (e.g. toward smooth for faint or distant galaxies), not physical truth.",
                  "- Other surveys' cutouts differ in depth, colour balance and resolution; \(cutout.bands == 1 ? "colour cutouts are refused" : "single-band cutouts are shown grey")"
                  + " and FITS cutouts are resampled to \(cutout.pixelScale)″/px, but the model has not been validated on them.",
                  votes ? "- Intervals are calibrated only as far as docs/trees-and-votes.md measures (`galaxynet calibrate`); check them on your own labels."
                        : "- No calibrated uncertainty: the spread over test-time views is not an interval (docs/trees-and-votes.md).", ""]
        return lines.joined(separator: "\n")
    }
}
