import Foundation
import Testing
import GalaxyImaging
import GalaxyPrediction
import GalaxyServing

/// The protocol's messages and the batcher, without a server.
@Suite("Inference protocol")
struct InferenceProtocolTests {
    typealias P = InferenceProtocol

    /// A body in Triton's binary form: the JSON header, then each input's bytes.
    func binaryBody(_ json: String, _ blobs: [[UInt8]]) -> ([UInt8], Int) {
        let header = Array(json.utf8)
        return (header + blobs.flatMap { $0 }, header.count)
    }

    @Test func bytesAndPixelsComeFromJSONOrBinaryData() throws {
        let files: [[UInt8]] = [[0xFF, 0xD8, 0xFF, 1], [9, 8]]
        let blob = P.binary(bytes: files)
        #expect(blob.count == 4 + 4 + 4 + 2 && Array(blob.prefix(4)) == [4, 0, 0, 0])
        let (body, length) = binaryBody(#"{"inputs":[{"name":"images","datatype":"BYTES","shape":[2],"parameters":{"binary_data_size":\#(blob.count)}}]}"#, [blob])
        let (request, binaries) = try P.parse(body: body, headerLength: length)
        #expect(try P.byteElements(request.inputs[0], binary: binaries[0]) == files)
        // The same files as base64 in JSON; pixels as nested JSON arrays, flattened row-major.
        let json = #"{"inputs":[{"name":"images","datatype":"BYTES","shape":[2],"data":["\#(Data(files[0]).base64EncodedString())","\#(Data(files[1]).base64EncodedString())"]}]}"#
        let (fromJSON, none) = try P.parse(body: Array(json.utf8), headerLength: nil)
        #expect(try P.byteElements(fromJSON.inputs[0], binary: none[0]) == files)
        let pixels = #"{"inputs":[{"name":"pixels","datatype":"UINT8","shape":[1,2,2],"data":[[[1,2],[3,255]]]}]}"#
        let (p, b) = try P.parse(body: Array(pixels.utf8), headerLength: nil)
        #expect(try P.uint8Elements(p.inputs[0], binary: b[0]) == [1, 2, 3, 255])
    }

    @Test func malformedBodiesAreTheClientsErrorWithAReason() {
        func reason(_ body: [UInt8], _ length: Int?, element: Bool = false) -> String {
            do {
                let (r, b) = try P.parse(body: body, headerLength: length)
                if element, r.inputs[0].datatype == "UINT8" { _ = try P.uint8Elements(r.inputs[0], binary: b[0]) }
                if element, r.inputs[0].datatype == "BYTES" { _ = try P.byteElements(r.inputs[0], binary: b[0]) }
                return "accepted"
            } catch let e as P.ClientError { return "\(e.status) \(e.message)" } catch { return "\(error)" }
        }
        let input = #"{"inputs":[{"name":"x","datatype":"BYTES","shape":[1],"parameters":{"binary_data_size":10}}]}"#
        #expect(reason(Array(input.utf8) + [1, 2], input.utf8.count).hasPrefix("400 input x: binary_data_size 10 runs past the end of the body"))
        #expect(reason(Array(#"{"inputs":[]}"#.utf8) + [7, 7], 13).hasPrefix("400 2 bytes after the last binary input"))
        #expect(reason([1, 2], 5).hasPrefix("400 Inference-Header-Content-Length is 5, the body has 2 bytes"))
        #expect(reason(Array(#"{"inputs":[{"name":"x"}]}"#.utf8), nil).hasPrefix("400 the request is not an inference request in JSON: missing \"shape\""))
        #expect(reason(Array(#"{"inputs":[{"name":"x","datatype":"UINT8","shape":[1],"data":[256]}]}"#.utf8), nil, element: true)
                    .hasPrefix("400 input x: UINT8 data must be integers 0–255"))
        #expect(reason(Array(#"{"inputs":[{"name":"x","datatype":"BYTES","shape":[1],"data":["%%"]}]}"#.utf8), nil, element: true)
                    .contains("base64"))
    }

    static func image(_ width: Int) -> ServedImage { .decoded(GreyImage(width: width, height: 1, pixels: [UInt8](repeating: 0, count: width))) }

    /// Requests that arrive together share one batch (it closes when full: 4 images, well inside
    /// the 5 s window); an unreadable file fails its request alone.
    @Test func concurrentRequestsShareABatchAndAFailureStaysWithItsRequest() async throws {
        let batches = BatchLog()
        let batcher = DynamicBatcher(maxBatch: 4, window: 5, workers: 2, observe: { batches.add($0) }, decode: { image in
            guard case .decoded(let d) = image else { throw P.ClientError(400, "not an image") }
            return d
        }) { images in images.map { Prediction(answers: [Float($0.width)], spread: [0]) } }
        defer { batcher.stop() }
        let (three, four, seven) = (Self.image(3), Self.image(4), Self.image(7))
        async let a = batcher.predictions([three, four])
        async let b = batcher.predictions([.file(bytes: [1], name: "x")])
        async let c = batcher.predictions([seven])
        #expect(try await a.map(\.answers) == [[3], [4]])
        #expect(try await c.map(\.answers) == [[7]])
        let failed: String
        do { _ = try await b; failed = "answered" } catch { failed = "\(error)" }
        #expect(failed == "not an image")
        #expect(batches.sizes == [4], "\(batches.sizes)")
    }
}

/// The batch sizes a batcher reported.
final class BatchLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [Int] = []
    func add(_ n: Int) { lock.lock(); recorded.append(n); lock.unlock() }
    var sizes: [Int] { lock.lock(); defer { lock.unlock() }; return recorded }
}
