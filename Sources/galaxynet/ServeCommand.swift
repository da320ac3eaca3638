import ArgumentParser
import Foundation
import GalaxyCore
import GalaxyModels
import GalaxyPrediction
import GalaxyServing
import GalaxyTraining

/// `galaxynet serve`: a model behind the Open Inference Protocol, with a web page.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve",
        abstract: "Serve a trained model over the Open Inference Protocol (KServe v2 REST, as Triton and KServe speak it), with a web page at / and Prometheus metrics at /metrics.",
        discussion: """
        POST /v2/models/NAME/infer takes image files (input "images", BYTES [N]: JPEG or FITS, in \
        Triton's binary data or base64 in JSON) or pixels (input "pixels", UINT8 [N, size, size, \
        bands]) and gives "answers" and "spread" (FP32 [N, answers]) and "likeliest_path" (BYTES [N]); \
        a vote-count model also "lower" and "upper" (90 % intervals); "embedding" on request. \
        Concurrent requests share forward passes (--max-batch, --batch-window-ms). SIGTERM or \
        SIGINT drains the requests in flight and exits 0.
        """)

    @Option(name: [.customLong("run"), .customLong("model")], help: "Run directory with a checkpoint, or a model file (NAME.gnm).") var runPath: String
    @Option(help: "The model's name in the protocol's paths (default: the run folder's or file's name).") var name: String?
    @Option(help: "Address to listen on (127.0.0.1: this machine only).") var host = "127.0.0.1"
    @Option(help: "Port (0: any free port, printed).") var port = 8080
    @OptionGroup var augmentation: TTAOptions
    @Option(help: "Images per forward batch at most: concurrent requests are joined up to it.") var maxBatch = 32
    @Option(help: "Milliseconds a batch waits for more requests once the first has arrived.") var batchWindowMs = 2.0
    @Option(help: "Images per request at most.") var maxImages = 64
    @Option(help: "Largest request body, in MiB.") var maxBody = 64
    @Option(help: "Seconds a request body may take to arrive.") var bodyTimeout = 30.0
    @Option(help: "Embeddings (E.npy, IDs in E.ids.npy) to find each image's neighbours in, on the page.") var embeddings: String?
    @Option(help: "A folder of prediction tables (.csv) the page's catalogue view may open.") var catalogues: String?
    @Option(help: "A catalogue (id, file columns) or folder of <ID>.jpg locating the images of --embeddings and --catalogues, for thumbnails.") var thumbnails: String?
    @Option(help: "Worker threads for warping views.") var workers = 2
    @OptionGroup var compute: BackendOptions

    func validate() throws {
        guard (0...65535).contains(port), maxBatch >= 1, maxImages >= 1, maxBody >= 1, bodyTimeout > 0, batchWindowMs >= 0 else {
            throw ValidationError("--port 0–65535; --max-batch, --max-images, --max-body, --body-timeout positive; --batch-window-ms ≥ 0")
        }
        var isFolder: ObjCBool = false
        if let catalogues, !(FileManager.default.fileExists(atPath: catalogues, isDirectory: &isFolder) && isFolder.boolValue) {
            throw ValidationError("--catalogues \(catalogues) is not a folder (the folder of prediction tables the page may open)")
        }
    }

    func run() throws {
        let folder = RunFolder(runPath).model
        var predictor = try Predictor(folder: folder, backend: compute.backend.backend, tta: augmentation.tta)
        predictor.embeddingLayer = predictor.model.hiddenLayerNames.last
        let name = self.name ?? ((runPath as NSString).lastPathComponent as NSString).deletingPathExtension
        let model = ServedModel(name: name, model: predictor.model, reader: .standard, maxImages: maxImages)
        let metrics = ServingMetrics(), workers = self.workers, frozen = predictor
        let batcher = DynamicBatcher(maxBatch: maxBatch, window: batchWindowMs / 1000, workers: workers, observe: { metrics.batch($0) },
                                     decode: model.decode) { frozen.predictions(images: $0, workers: workers) }
        var settings = InferenceServer.Settings()
        (settings.host, settings.port, settings.maxBodyBytes, settings.bodyTimeout) = (host, port, maxBody << 20, bodyTimeout)
        settings.version = GalaxyNetBuild.version
        let page = try PageRoutes(predictor: frozen, embeddings: embeddings, catalogues: catalogues, thumbnails: thumbnails)
        let server = InferenceServer(model: model, batcher: batcher, metrics: metrics, settings: settings, page: page)
        let (host, tta) = (self.host, augmentation.tta.rawValue)
        let finished = DispatchSemaphore(value: 0)
        let outcome = UncheckedResult()
        Task {
            do {
                try await server.run { port in
                    FileHandle.standardOutput.write(Data("serving \(name) (\(tta) test-time views) on http://\(host):\(port)/ — Ctrl-C or SIGTERM stops\n".utf8))
                }
            } catch { outcome.error = error }
            finished.signal()
        }
        finished.wait()
        if let error = outcome.error { throw error }
        print("stopped: every request in flight was answered")
    }
}

/// The error of the server task, read after it has signalled.
final class UncheckedResult: @unchecked Sendable { var error: (any Error)? }
