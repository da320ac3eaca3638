import Foundation
import Testing
import TestSupport

@Suite("the command-line reference")
struct ReferenceCLITests {
    /// docs/cli.md is what `galaxynet reference` makes from the verbs' help now: a changed option
    /// without the regenerated file fails here.
    @Test func docsCLIIsCurrent() throws {
        let result = try CLI.run(["reference"])
        #expect(result.status == 0, "\(result.error)")
        let path = TestSupport.repositoryRoot + "/docs/cli.md"
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        #expect(result.output == committed, "\(path) is stale: run `make docs` (galaxynet reference --out docs/cli.md) and commit it")
        for verb in ["predict", "train", "evaluate", "bench kernels", "bench train", "demo"] {
            #expect(committed.contains("## galaxynet \(verb)\n"), "no section for \(verb)")
        }
        #expect(!committed.contains("## galaxynet reference"), "the hidden verb is not listed")
    }

    /// `--out` replaces an earlier reference only, never another file.
    @Test func referenceNeverOverwritesOtherFiles() throws {
        let folder = scratch("reference")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "# my notes\n".write(toFile: folder + "/notes.md", atomically: true, encoding: .utf8)
        let refused = try CLI.run(["reference", "--out", folder + "/notes.md"])
        #expect(refused.status != 0 && refused.error.contains("not a galaxynet reference"), "\(refused.error)")
        #expect(try String(contentsOfFile: folder + "/notes.md", encoding: .utf8) == "# my notes\n")
        #expect(try CLI.run(["reference", "--out", folder + "/cli.md"]).status == 0)
        #expect(try CLI.run(["reference", "--out", folder + "/cli.md"]).status == 0, "an earlier reference is replaced")
        #expect(try CLI.run(["reference", "--out", folder + "/cli.txt"]).status != 0)
    }

    /// The demo's sizes are checked before anything is made (a count under 10 crashed the mock universe).
    @Test func demoSizesAreChecked() throws {
        for arguments in [["--count", "5"], ["--test-count", "0"], ["--steps", "0"]] {
            let out = scratch("demo-sizes")
            let result = try CLI.run(["demo", "--out", out] + arguments)
            #expect(result.status != 0 && result.error.contains(arguments[0]) && !FileManager.default.fileExists(atPath: out), "\(result.error)")
        }
    }
}
