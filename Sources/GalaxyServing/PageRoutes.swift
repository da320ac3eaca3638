import Foundation
import Hummingbird
import NIOCore
import HTTPTypes
import GalaxyCore
import GalaxyImaging
import GalaxyNetwork
import GalaxyPrediction
import GalaxySimilarity

/// The web page a person looks at galaxies with: static files shipped with the server
/// (`Page/`: no build step, nothing fetched from the internet) and the routes its script calls —
/// `POST /galaxynet/look` (an image file → what the network sees and answers), thumbnails of
/// known galaxies, and the prediction tables of a folder for the catalogue view.
public struct PageRoutes: Sendable {
    let folder: URL
    let look: GalaxyLook
    let search: NeighbourSearch?
    let catalogues: String?
    let thumbnails: ImageLookup?

    public init(predictor: Predictor, embeddings: String?, catalogues: String?, thumbnails: String?) throws {
        guard let folder = Bundle.module.url(forResource: "Page", withExtension: nil) else {
            throw InferenceProtocol.ClientError(500, "the web page's files are missing from the installation")
        }
        self.folder = folder
        look = GalaxyLook(configuration: predictor.model.configuration)
        if let embeddings {
            let table = try Embeddings(embeddings), units = predictor.embeddingLayer.flatMap(predictor.model.hiddenUnits) ?? 0
            guard table.dimensions == units else {
                throw EmbeddingError(file: embeddings, reason: "has \(table.dimensions) dimensions; this model's last hidden layer has \(units) (embed them with this model, without --pca)")
            }
            search = NeighbourSearch(table, backend: predictor.model.backend)
        } else { search = nil }
        self.catalogues = catalogues
        self.thumbnails = try thumbnails.map { path in
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            return isFolder.boolValue ? ImageLookup(folder: path) : try ImageLookup(catalogue: path, idColumn: "id", fileColumn: "file")
        }
    }

    func add(to router: Router<BasicRequestContext>, server: InferenceServer) {
        router.get("/") { [folder] _, _ in try Self.file(folder.appendingPathComponent("index.html")) }
        router.get("/page/:file") { [folder] _, context in
            let name = context.parameters.get("file") ?? ""
            guard ["page.js", "page.css"].contains(name) else { throw InferenceProtocol.ClientError(404, "no page file \(name)") }
            return try Self.file(folder.appendingPathComponent(name))
        }
        router.post("/galaxynet/look") { request, _ in
            let bytes = try await server.body(of: request)
            let image = try server.model.decode(.file(bytes: bytes, name: "the image"))
            let prediction = try await server.batcher.predictions([.decoded(image)])[0]
            var answer = look.describe(image, prediction)
            if let search, let embedding = prediction.embedding {
                answer.neighbours = try search.nearest(to: [embedding], k: 12)[0].map { .init(id: String(search.embeddings.ids[$0.row]), similarity: $0.similarity) }
            }
            return try InferenceServer.json(answer)
        }
        router.get("/galaxynet/thumbnail/:id") { [thumbnails] _, context in
            guard let thumbnails, let id = context.parameters.get("id").flatMap(Int64.init) else { throw InferenceProtocol.ClientError(404, "no thumbnails (serve --thumbnails)") }
            let image: RGBImage
            do { image = try ImageSource.display(try thumbnails.path(of: id)) } catch { throw InferenceProtocol.ClientError(404, "\(error)") }
            return Response(status: .ok, headers: [.contentType: "image/png", .cacheControl: "max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(bytes: PNG.encode(image.shrunk(by: max(1, image.width / 140))))))
        }
        router.get("/galaxynet/image/:id") { [thumbnails] _, context in
            guard let thumbnails, let id = context.parameters.get("id").flatMap(Int64.init) else { throw InferenceProtocol.ClientError(404, "no images (serve --thumbnails)") }
            let path = try thumbnails.path(of: id)
            guard let data = FileManager.default.contents(atPath: path) else { throw InferenceProtocol.ClientError(404, "\(path): cannot be read") }
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/galaxynet/catalogues") { [catalogues] _, _ in
            let names = catalogues.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0) }?.filter { $0.hasSuffix(".csv") && !$0.hasSuffix(".errors.csv") }.sorted() ?? []
            return try InferenceServer.json(names)
        }
        router.get("/galaxynet/catalogues/:name") { [catalogues] _, context in
            let name = context.parameters.get("name") ?? ""
            guard let catalogues, name.hasSuffix(".csv"), !name.contains("/"), !name.hasPrefix(".") else { throw InferenceProtocol.ClientError(404, "no catalogue \(name)") }
            guard let data = FileManager.default.contents(atPath: catalogues + "/" + name) else { throw InferenceProtocol.ClientError(404, "no catalogue \(name)") }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    static func file(_ url: URL) throws -> Response {
        let types = ["html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"]
        return Response(status: .ok, headers: [.contentType: types[url.pathExtension] ?? "application/octet-stream"],
                        body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: url))))
    }
}
