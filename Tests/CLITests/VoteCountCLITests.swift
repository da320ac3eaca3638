import Foundation
import Testing
import TestSupport

/// Another tree, vote counts and the Dirichlet-multinomial model through the command line.
@Suite("galaxynet with vote counts")
struct VoteCountCLITests {
    /// A GZ DECaLS mock of counts trains with the likelihood loss (which falls), is calibrated, and
    /// predicts a catalogue with intervals and expected votes.
    @Test func decalsCountsTrainCalibrateAndPredict() throws {
        let data = scratch("decals")
        try CLI.setUp(["mock", "--count", "60", "--test-count", "20", "--seed", "5", "--tree", "gz-decals-dr5", "--volunteers", "5..40", "--out", data])
        let header = try String(contentsOfFile: data + "/training_votes.csv", encoding: .utf8).split(separator: "\n")[0]
        #expect(header.hasPrefix("GalaxyID,smooth-or-featured_total-votes,smooth-or-featured_smooth,smooth-or-featured_featured-or-disk,"))
        let run = scratch("dm")
        let trained = try CLI.run(["train", "--data", data, "--out", run, "--tree", "gz-decals-dr5", "--loss", "dirichlet-multinomial",
                                   "--recipe", "fast", "--steps", "60", "--workers", "1"])
        #expect(trained.status == 0, "\(trained.error)")
        #expect(trained.output.contains("−log P of the votes per galaxy"))
        let losses = try String(contentsOfFile: run + "/log.jsonl", encoding: .utf8).split(separator: "\n").map { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["loss"] as! Double
        }
        #expect(losses.last! < losses.first! * 0.9, "the likelihood loss must fall: \(losses)")
        let model = try String(contentsOfFile: run + "/model.json", encoding: .utf8)
        #expect(model.contains("\"loss\" : \"dirichlet-multinomial\"") && model.contains("\"name\" : \"gz-decals-dr5\""))

        let calibrated = try CLI.run(["calibrate", "--run", run, "--data", data, "--tta", "1", "--fit-scales"])
        #expect(calibrated.status == 0, "\(calibrated.error)")
        #expect(calibrated.output.contains("fitted concentration scales on 6 validation images"))
        #expect(try String(contentsOfFile: run + "/model.json", encoding: .utf8).contains("concentrationScales"))
        #expect(calibrated.output.contains("| smooth-or-featured | 20 |") && calibrated.output.contains("volunteer-weighted RMSE"))

        let catalogue = scratch("catalogue") + ".csv"
        let ids = try FileManager.default.contentsOfDirectory(atPath: data + "/images_test_rev1").sorted().prefix(3)
        try Data(((["id,file"] + ids.map { "\($0.dropLast(4)),\(data)/images_test_rev1/\($0)" }).joined(separator: "\n") + "\n").utf8)
            .write(to: URL(fileURLWithPath: catalogue))
        let out = scratch("predicted") + ".csv"
        let predicted = try CLI.run(["predict", "--run", run, "--catalog", catalogue, "--out", out, "--tta", "1", "--columns", "advanced", "--volunteers", "20"])
        #expect(predicted.status == 0, "\(predicted.error)")
        let table = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        let columns = table[0].split(separator: ",").map(String.init)
        for name in ["smooth-or-featured_smooth_fraction", "smooth-or-featured_smooth_lower", "smooth-or-featured_smooth_upper",
                     "bar_proportion_asked", "bar_strong_concentration", "bar_strong_expected_votes", "likeliest_path"] {
            #expect(columns.contains(name), "\(name) missing")
        }
        #expect(table.count == 4)
        // Each answer's interval brackets its fraction.
        let row = table[1].split(separator: ",").map(String.init)
        let value = { (name: String) in Double(row[columns.firstIndex(of: name)!])! }
        #expect(value("smooth-or-featured_smooth_lower") <= value("smooth-or-featured_smooth_fraction"))
        #expect(value("smooth-or-featured_smooth_fraction") <= value("smooth-or-featured_smooth_upper"))
    }

    @Test func theLikelihoodLossNeedsCountsAndMocksNeedAKnownTree() throws {
        let data = try mockUniverse(count: 20, testCount: 0, seed: 3)
        let refused = try CLI.run(["train", "--data", data, "--out", scratch("run"), "--loss", "dirichlet-multinomial", "--steps", "5"])
        #expect(refused.status != 0)
        #expect(refused.error.contains("the dirichlet-multinomial loss learns from vote counts, and the dataset has no training_votes.csv"))
        let tree = scratch("tree") + ".json"
        try Data(#"{"name": "rings", "summary": "", "columns": "catalogue", "questions": [{"name": "ring", "text": "", "answers": [{"name": "yes", "text": ""}, {"name": "no", "text": ""}]}]}"#.utf8)
            .write(to: URL(fileURLWithPath: tree))
        let mock = try CLI.run(["mock", "--count", "20", "--tree", tree, "--out", scratch("rings")])
        #expect(mock.status != 0 && mock.error.contains("the mock crowd answers gz2 and the GZ DECaLS questions"))
        let volunteers = try CLI.run(["mock", "--count", "20", "--volunteers", "40..5", "--out", scratch("v")])
        #expect(volunteers.status != 0 && volunteers.error.contains("--volunteers must be MIN..MAX"))
        let broken = try CLI.run(["check-labels", data + "/training_solutions_rev1.csv", "--tree", "gz3"])
        #expect(broken.status != 0 && broken.error.contains("gz3: not a built-in tree"))
    }
}
