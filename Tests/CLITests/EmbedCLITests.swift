import Foundation
import Testing
import TestSupport

/// `galaxynet embed`: a catalogue run that keeps a hidden layer, read back by astropy and NumPy.
@Suite("Embeddings")
struct EmbedCLITests {
    @Test func embedsACatalogueFitsAndReusesAProjectionAndRefusesBadRequests() throws {
        let (run, folder, _) = try CatalogueCLITests.setUp
        let csv = try CatalogueCLITests.catalogue(rows: 25, name: "embed.csv", extra: "1,150.5,-1.5,missing.jpg\n")
        let base = ["embed", "--run", run, "--catalog", csv, "--id-column", "objid", "--tta", "8", "--chunk", "10"]
        // The raw activations as .npy with the IDs beside it; the bad row reported, the others embedded.
        let raw = try CLI.run(base + ["--out", folder + "/raw.npy"])
        #expect(raw.status == 0 && raw.output.contains("25 embedded (0 of them failed before), 0 reused from finished chunks, 1 failed"), "\(raw.output) \(raw.error)")
        #expect(raw.output.contains("IDs in \(folder)/raw.ids.npy"))
        #expect(try String(contentsOfFile: folder + "/raw.errors.csv", encoding: .utf8).contains("26,1,missing.jpg,"))
        // Five components fitted on the rows, as FITS with the catalogue's columns.
        let fitted = try CLI.run(base + ["--pca", "5", "--out", folder + "/pca.fits"])
        #expect(fitted.status == 0 && fitted.output.contains("principal components saved to \(folder)/pca.pca.safetensors"), "\(fitted.output) \(fitted.error)")
        #expect(fitted.output.contains("pca_0   explains"), "\(fitted.output)")
        // A later batch projected with the saved components, as CSV.
        let later = try CLI.run(base + ["--pca-from", folder + "/pca.pca.safetensors", "--out", folder + "/later.csv"])
        #expect(later.status == 0, "\(later.output) \(later.error)")
        guard let check = try TestSupport.numpy("""
            import numpy as np
            from astropy.table import Table
            x = np.load('\(folder)/raw.npy').astype(np.float64); ids = np.load('\(folder)/raw.ids.npy')
            t = Table.read('\(folder)/pca.fits'); l = Table.read('\(folder)/later.csv', format='ascii.csv')
            c = np.cov(x.T); w, v = np.linalg.eigh(c); o = np.argsort(w)[::-1][:5]; v = v[:, o]
            for j in range(5):
                if v[np.argmax(np.abs(v[:, j])), j] < 0: v[:, j] *= -1
            ref = (x - x.mean(0)) @ v
            p = np.stack([t['pca_%d' % j] for j in range(5)], 1); q = np.stack([l['pca_%d' % j] for j in range(5)], 1)
            print(x.shape[0], ids.dtype, bool((ids == t['objid']).all()), t['ra'][3], t.colnames[:3])
            print(np.abs(p - ref).max() / np.abs(ref).max() < 1e-3, np.abs(q - p).max() / np.abs(p).max() < 1e-5)
            """) else { return }
        let lines = check.split(separator: "\n").map(String.init)
        #expect(lines == ["25 int64 True 150.003 ['objid', 'ra', 'dec']", "True True"], "\(check)")
        // Neighbours drawn from the catalogue's images: the query first, each captioned.
        let drawn = try CLI.run(["similar", "--embeddings", folder + "/raw.npy", "--id", "1237648720693755003", "-k", "4", "--montage", folder + "/near.png",
                                 "--montage-catalog", csv, "--montage-id-column", "objid"])
        #expect(drawn.status == 0 && drawn.output.hasSuffix("wrote \(folder)/near.png\n"), "\(drawn.output) \(drawn.error)")
        let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/near.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000)
        // An image queried through the run finds its own row first, as embed made it.
        let (_, _, images) = try CatalogueCLITests.setUp
        let query = try CLI.run(["similar", "--embeddings", folder + "/raw.npy", "--image", folder + "/" + images[3], "--run", run, "--tta", "8", "-k", "2"])
        #expect(query.status == 0 && query.output.contains("   1  1237648720693755003  1.000000"), "\(query.output) \(query.error)")
        // A rerun reuses the finished chunks.
        let again = try CLI.run(base + ["--out", folder + "/raw.npy"])
        #expect(again.status == 0 && again.output.contains("0 embedded (0 of them failed before), 25 reused from finished chunks"), "\(again.output) \(again.error)")
        // Bad requests, each named.
        let layer = try CLI.run(base + ["--layer", "dense9", "--out", folder + "/bad.npy"])
        #expect(layer.status != 0 && layer.error.contains("the model has no layer \"dense9\"; its hidden layers are features, dense1"), "\(layer.error)")
        let wide = try CLI.run(base + ["--layer", "features", "--pca-from", folder + "/pca.pca.safetensors", "--out", folder + "/bad2.npy"])
        #expect(wide.status != 0 && wide.error.contains("pca.pca.safetensors: projects ") && wide.error.contains("but layer features has"), "\(wide.error)")
        let wider = try CLI.run(base + ["--pca", "9999", "--out", folder + "/bad3.npy"])
        #expect(wider.status != 0 && wider.error.contains("--pca 9999: layer dense1 has only") && !wider.error.contains("chunk 1"), "\(wider.error)")
        let over = try CLI.run(base + ["--out", csv])
        #expect(over.status != 0 && over.error.contains("embed.csv"), "\(over.error)")
        let answersParts = try CLI.run(["predict", "--run", run, "--catalog", csv, "--id-column", "objid", "--tta", "8", "--chunk", "10", "--out", folder + "/raw.csv"])
        #expect(answersParts.status == 0, "\(answersParts.error)")
        let mixed = try CLI.run(base + ["--out", folder + "/raw.csv"])
        #expect(mixed.status != 0 && mixed.error.contains("it held answers, now the embedding of layer dense1"), "\(mixed.error)")
    }
}
