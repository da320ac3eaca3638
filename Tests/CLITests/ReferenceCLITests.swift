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
}
