import Foundation
import Hummingbird
import NIOCore
import HTTPTypes
import GalaxyImaging
import GalaxyPrediction

/// `galaxynet serve`: the Open Inference Protocol over HTTP/1.1 (Hummingbird 2) for one model —
/// health, server and model metadata, inference with concurrent requests batched into shared
/// forward passes (`DynamicBatcher`) — with Prometheus metrics at `/metrics` and the web page at
/// `/`. Every failure is `{"error": message}` with a 4xx (the client's) or 5xx code; a body over
/// `maxBodyBytes` is refused with 413, one that does not arrive within `bodyTimeout` with 408.
/// SIGTERM or SIGINT stops accepting, answers what is in flight and returns.
public struct InferenceServer: Sendable {
    public struct Settings: Sendable {
        public var host = "127.0.0.1", port = 8080
        public var maxBodyBytes = 64 << 20
        public var bodyTimeout: TimeInterval = 30
        public var version = "0"
        public init() {}
    }

    public let model: ServedModel
    public let settings: Settings
    let batcher: DynamicBatcher
    let metrics: ServingMetrics
    let page: PageRoutes?

    public init(model: ServedModel, batcher: DynamicBatcher, metrics: ServingMetrics, settings: Settings, page: PageRoutes?) {
        (self.model, self.batcher, self.metrics, self.settings, self.page) = (model, batcher, metrics, settings, page)
    }

    /// Serves until SIGTERM/SIGINT; `listening` is told the port once the socket is bound.
    public func run(listening: @escaping @Sendable (Int) -> Void) async throws {
        let router = Router()
        router.middlewares.add(ErrorsAsJSON(metrics: metrics))
        let json: @Sendable (Encodable) throws -> Response = { try Self.json($0) }
        router.get("/v2/health/live") { _, _ in Response(status: .ok) }
        router.get("/v2/health/ready") { _, _ in Response(status: .ok) }
        router.get("/v2") { [settings] _, _ in
            try json(InferenceProtocol.ServerMetadata(name: "galaxynet", version: settings.version, extensions: ["binary_tensor_data", "model_metadata"]))
        }
        router.get("/v2/models/:name") { [model] _, context in try json(try Self.served(model, context).metadata) }
        router.get("/v2/models/:name/ready") { [model] _, context in _ = try Self.served(model, context); return Response(status: .ok) }
        router.get("/v2/models/:name/versions/:version/ready") { [model] _, context in _ = try Self.served(model, context); return Response(status: .ok) }
        router.post("/v2/models/:name/infer") { request, context in try await self.infer(request, context) }
        router.post("/v2/models/:name/versions/:version/infer") { request, context in try await self.infer(request, context) }
        router.get("/metrics") { [metrics] _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: metrics.text())))
        }
        page?.add(to: router, server: self)
        let app = Application(router: router, server: .http1(configuration: .init(idleTimeout: .seconds(Int64(max(settings.bodyTimeout * 2, 5))))),
                              configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "galaxynet"),
                              onServerRunning: { channel in listening(channel.localAddress?.port ?? settings.port) })
        do { try await app.runService() } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw InferenceProtocol.ClientError(500, "cannot listen on \(settings.host):\(settings.port): the address is in use (another server?); give another --port, or 0 for any free one")
        }
        batcher.stop()
    }

    static func served(_ model: ServedModel, _ context: some RequestContext) throws -> ServedModel {
        let name = context.parameters.get("name") ?? ""
        guard name == model.name else { throw InferenceProtocol.ClientError(404, "no model \"\(name)\"; this server has \"\(model.name)\"") }
        if let version = context.parameters.get("version"), version != "1" {
            throw InferenceProtocol.ClientError(404, "model \"\(name)\" has no version \"\(version)\"; it has version 1")
        }
        return model
    }

    /// One inference: the body (size and time limited), its images, a place in a batch, the response.
    func infer(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let model = try Self.served(self.model, context)
        let started = ContinuousClock.now
        let bytes = try await body(of: request)
        let headerLength = try request.headers[Self.headerLength].map { text -> Int in
            guard let n = Int(text) else { throw InferenceProtocol.ClientError(400, "Inference-Header-Content-Length \"\(text)\" is not a number") }
            return n
        }
        let (inference, binaries) = try InferenceProtocol.parse(body: bytes, headerLength: headerLength)
        let images = try model.images(inference, binaries: binaries)
        let predictions = try await batcher.predictions(images)
        let (body, length) = try model.response(inference, predictions: predictions)
        metrics.served(images: images.count, seconds: started.duration(to: .now))
        var headers: HTTPFields = [.contentType: length == nil ? "application/json" : "application/octet-stream"]
        if let length { headers[Self.headerLength] = String(length) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The request body, refused past `maxBodyBytes` (413) or when it stalls past `bodyTimeout` (408).
    func body(of request: Request) async throws -> [UInt8] {
        let limit = settings.maxBodyBytes, timeout = settings.bodyTimeout, body = request.body
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw InferenceProtocol.ClientError(413, "the body is \(declared) bytes; this server takes at most \(limit) (--max-body)")
        }
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                do { return Array(buffer: try await body.collect(upTo: limit)) } catch is NIOTooManyBytesError {
                    throw InferenceProtocol.ClientError(413, "the body is over \(limit) bytes, the most this server takes (--max-body)")
                }
            }
            group.addTask { try? await Task.sleep(for: .seconds(timeout)); return nil }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let bytes = first else {
                throw InferenceProtocol.ClientError(408, "the request body did not arrive within \(Int(timeout)) s")
            }
            return bytes
        }
    }

    static let headerLength = HTTPField.Name("Inference-Header-Content-Length")!

    static func json(_ value: Encodable) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try JSONEncoder().encode(value))))
    }
}

/// Every error as `{"error": message}`: the client's with its 4xx, a route that does not exist
/// with 404, anything else with 500; each counted by status.
struct ErrorsAsJSON<Context: RequestContext>: RouterMiddleware {
    let metrics: ServingMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do { response = try await next(request, context) } catch {
            let (status, message): (Int, String)
            switch error {
            case let e as InferenceProtocol.ClientError: (status, message) = (e.status, e.message)
            case let e as HTTPError where e.status == .notFound: (status, message) = (404, "no route \(request.method) \(request.uri.path)")
            case let e as HTTPError: (status, message) = (e.status.code, e.body ?? "\(e.status)")
            case is NIOTooManyBytesError: (status, message) = (413, "the body is too large")
            default: (status, message) = (500, "\(error)")
            }
            metrics.failed(status: status)
            let body = try JSONEncoder().encode(["error": message])
            return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        metrics.answered(status: response.status.code)
        return response
    }
}
