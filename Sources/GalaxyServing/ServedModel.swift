import Foundation
import GalaxyImaging
import GalaxyNetwork
import GalaxyZoo
import GalaxyPrediction

/// A trained model behind the Open Inference Protocol: what it takes (image files as BYTES,
/// or pixels as UINT8 [N, height, width, bands]), what it gives (each answer's fraction and its
/// spread over the test-time views as FP32 [N, answers], the likeliest path down the tree as
/// BYTES [N]; a model of vote counts adds each answer's 90 % interval, `lower` and `upper`; and
/// on request the last hidden layer, `embedding`), and the turn of a request into a response.
public struct ServedModel: Sendable {
    public let name: String
    public let tree: DecisionTree
    public let cutout: CutoutFormat
    let votes: Bool, units: Int
    let reader: ImageReader
    /// Images per request at most (a request is answered in one piece).
    public let maxImages: Int

    public init(name: String, model: GalaxyModel, reader: ImageReader, maxImages: Int) {
        (self.name, tree, cutout) = (name, model.configuration.tree, model.configuration.cutout)
        votes = model.configuration.objective == .dirichletMultinomial
        units = model.hiddenUnits(model.hiddenLayerNames.last!)!
        (self.reader, self.maxImages) = (reader.reading(model.configuration.cutout), maxImages)
    }

    var outputNames: [String] { ["answers", "spread", "likeliest_path"] + (votes ? ["lower", "upper"] : []) }

    public var metadata: InferenceProtocol.ModelMetadata {
        let n = tree.outputCount
        return .init(name: name, versions: ["1"], platform: "galaxynet",
                     inputs: [.init(name: "images", datatype: "BYTES", shape: [-1]),
                              .init(name: "pixels", datatype: "UINT8", shape: [-1, cutout.size, cutout.size, cutout.bands])],
                     outputs: outputNames.map { .init(name: $0, datatype: $0 == "likeliest_path" ? "BYTES" : "FP32", shape: $0 == "likeliest_path" ? [-1] : [-1, n]) }
                        + [.init(name: "embedding", datatype: "FP32", shape: [-1, units])])
    }

    /// The images of a request: its one input, image files (BYTES, decoded in the batch) or pixels (UINT8).
    public func images(_ request: InferenceProtocol.Request, binaries: [[UInt8]?]) throws -> [ServedImage] {
        typealias Failure = InferenceProtocol.ClientError
        guard request.inputs.count == 1, let input = request.inputs.first else {
            throw Failure(400, "give one input: \"images\" (BYTES, image files) or \"pixels\" (UINT8 [N, \(cutout.size), \(cutout.size), \(cutout.bands)]); found \(request.inputs.count)")
        }
        let count = input.shape.first ?? 0
        guard count >= 1, count <= maxImages else { throw Failure(400, "input \(input.name): \(count) images; a request holds 1 to \(maxImages)") }
        switch input.datatype {
        case "BYTES":
            guard input.shape.count == 1 else { throw Failure(400, "input \(input.name): BYTES shape must be [N], found \(input.shape)") }
            let files = try InferenceProtocol.byteElements(input, binary: binaries[0])
            guard files.count == count else { throw Failure(400, "input \(input.name): shape says \(count) elements, the data hold \(files.count)") }
            return files.enumerated().map { .file(bytes: $1, name: "image \($0)") }
        case "UINT8":
            let expected = [count, cutout.size, cutout.size, cutout.bands]
            guard input.shape == expected else { throw Failure(400, "input \(input.name): UINT8 shape must be \(expected) for this model, found \(input.shape)") }
            let pixels = try InferenceProtocol.uint8Elements(input, binary: binaries[0])
            let size = cutout.size * cutout.size * cutout.bands
            guard pixels.count == count * size else { throw Failure(400, "input \(input.name): shape \(input.shape) needs \(count * size) values, the data hold \(pixels.count)") }
            return (0..<count).map { i in
                let block = Array(pixels[(i * size)..<((i + 1) * size)])
                if cutout.bands == 1 { return .decoded(GreyImage(width: cutout.size, height: cutout.size, pixels: block)) }
                return .decoded(RGBImage(width: cutout.size, height: cutout.size, pixels: block))
            }
        default:
            throw Failure(400, "input \(input.name): datatype \(input.datatype) is not served; give BYTES (image files) or UINT8 (pixels)")
        }
    }

    /// The pixels of an image of a request; a file that is not a readable cutout of this model's
    /// size is the client's error.
    public func decode(_ image: ServedImage) throws -> any SourceImage {
        let (bytes, name): ([UInt8], String)
        switch image {
        case .decoded(let pixels): return pixels
        case .file(let b, let n): (bytes, name) = (b, n)
        }
        do {
            let decoded = try reader.read(bytes: bytes, name: name)
            guard decoded.width == cutout.size && decoded.height == cutout.size else {
                throw InferenceProtocol.ClientError(400, "\(name) is \(decoded.width)×\(decoded.height); this model reads \(cutout.size)×\(cutout.size) cutouts")
            }
            return decoded
        } catch let error as ImageError { throw InferenceProtocol.ClientError(400, error.description) }
    }

    /// The response to `request` from its predictions: the JSON, and the binary outputs after it
    /// when the client asked for binary data (then `headerLength` is the JSON's length).
    public func response(_ request: InferenceProtocol.Request, predictions: [Prediction]) throws -> (body: [UInt8], headerLength: Int?) {
        let wanted = request.outputs ?? outputNames.map { .init(name: $0, parameters: nil) }
        let allBinary = request.parameters?["binary_data_output"]?.bool ?? false
        let n = tree.outputCount, count = predictions.count
        // A vote model's numbers (its intervals are Beta quantiles, not cheap) are made once, for lower and upper alike.
        let schema = PredictionSchema(tree: tree, votes: votes)
        let numbers = votes && wanted.contains(where: { $0.name == "lower" || $0.name == "upper" }) ? predictions.map(schema.numbers) : []
        var outputs: [InferenceProtocol.Output] = [], binary: [UInt8] = []
        for asked in wanted {
            let floats: [Float]?, texts: [[UInt8]]?
            switch asked.name {
            case "answers": (floats, texts) = (predictions.flatMap(\.answers), nil)
            case "spread": (floats, texts) = (predictions.flatMap(\.spread), nil)
            case "lower" where votes, "upper" where votes:
                let start = 2 * n + 1 + (asked.name == "upper" ? n : 0)
                (floats, texts) = (numbers.flatMap { $0[start..<(start + n)] }, nil)
            case "embedding":
                guard predictions.allSatisfy({ $0.embedding != nil }) else { throw InferenceProtocol.ClientError(500, "the embedding was not computed") }
                (floats, texts) = (predictions.flatMap { $0.embedding! }, nil)
            case "likeliest_path": (floats, texts) = (nil, predictions.map { Array(tree.describePath($0.answers).utf8) })
            default:
                throw InferenceProtocol.ClientError(400, "no output \"\(asked.name)\"; this model gives \((outputNames + ["embedding"]).joined(separator: ", "))")
            }
            let shape = texts != nil ? [count] : [count, floats!.count / max(count, 1)]
            var output = InferenceProtocol.Output(name: asked.name, datatype: texts != nil ? "BYTES" : "FP32", shape: shape)
            if asked.parameters?["binary_data"]?.bool ?? allBinary {
                let bytes = texts.map(InferenceProtocol.binary(bytes:)) ?? floats!.withUnsafeBytes { Array($0) }
                output.parameters = ["binary_data_size": .number(Double(bytes.count))]
                binary += bytes
            } else {
                output.data = texts.map { $0.map { .string(String(decoding: $0, as: UTF8.self)) } } ?? floats!.map { .number(Double($0)) }
            }
            outputs.append(output)
        }
        let json = try JSONEncoder().encode(InferenceProtocol.Response(model_name: name, model_version: "1", id: request.id, outputs: outputs))
        return binary.isEmpty ? ([UInt8](json), nil) : ([UInt8](json) + binary, json.count)
    }
}
