import Foundation
import Testing
import TestSupport

/// `galaxynet similar` on embeddings written by NumPy, its table read back by astropy.
@Suite("Similarity search")
struct SimilarCLITests {
    @Test func neighboursOfOneGalaxyAndOfEveryRow() throws {
        let folder = scratch("similar")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // Four clusters of 50 around orthogonal directions: a row's neighbours are its cluster's.
        _ = try TestSupport.python("""
            import numpy as np
            rng = np.random.default_rng(3)
            centres = np.eye(8, dtype=np.float32)[:4] * 5
            e = np.concatenate([c + rng.standard_normal((50, 8)).astype(np.float32) * 0.3 for c in centres])
            np.save('\(folder)/e.npy', e)
            np.save('\(folder)/e.ids.npy', np.arange(200, dtype=np.int64) + 1237648720693755000)
            """)
        let one = try CLI.run(["similar", "--embeddings", folder + "/e.npy", "--id", "1237648720693755060", "-k", "5"])
        #expect(one.status == 0 && one.output.hasPrefix("neighbours of 1237648720693755060 (row 60):"), "\(one.output) \(one.error)")
        let ids = one.output.split(separator: "\n").dropFirst().map { Int64($0.split(separator: " ")[1])! - 1237648720693755000 }
        #expect(ids.count == 5 && ids.allSatisfy { (50..<100).contains($0) && $0 != 60 }, "\(one.output)")
        let unknown = try CLI.run(["similar", "--embeddings", folder + "/e.npy", "--id", "7"])
        #expect(unknown.status != 0 && unknown.error.contains("e.npy: has no row with ID 7"), "\(unknown.error)")
        let noOut = try CLI.run(["similar", "--embeddings", folder + "/e.npy", "--all"])
        #expect(noOut.status != 0 && noOut.error.contains("--out"), "\(noOut.error)")
        let all = try CLI.run(["similar", "--embeddings", folder + "/e.npy", "--all", "-k", "10", "--out", folder + "/n.fits"])
        #expect(all.status == 0 && all.output.contains("10 neighbours of each of 200 rows (1 chunks computed, 0 reused)"), "\(all.output) \(all.error)")
        let check = try TestSupport.python("""
            from astropy.table import Table
            import numpy as np
            t = Table.read('\(folder)/n.fits')
            base = 1237648720693755000
            same = all(((t['neighbour_%d' % j][i] - base) // 50 == (t['id'][i] - base) // 50) for i in range(len(t)) for j in range(1, 11))
            print(len(t), same, bool(np.all(t['similarity_1'] >= t['similarity_10'])))
            """)
        #expect(check == "200 True True\n", "\(check)")
        let odd = try CLI.run(["anomalies", "--embeddings", folder + "/e.npy", "--top", "3", "-k", "10", "--out", folder + "/odd.csv"])
        #expect(odd.status == 0 && odd.output.hasPrefix("wrote \(folder)/odd.csv: the 3 of 200 rows farthest from their 10th neighbour"), "\(odd.output) \(odd.error)")
        #expect(try String(contentsOfFile: folder + "/odd.csv", encoding: .utf8).split(separator: "\n").count == 4)
    }
}
