import Foundation

/// The Open Inference Protocol's REST messages ("KServe v2", which Triton, KServe and Seldon
/// speak), with Triton's binary-data extension: a request body may be a JSON header of
/// `Inference-Header-Content-Length` bytes followed by each binary input in order (its size in
/// `parameters.binary_data_size`); BYTES elements are 4-byte little-endian lengths and bytes.
public enum InferenceProtocol {
    /// Any JSON value (tensor data arrive nested or flat, parameters are free-form).
    public enum JSON: Codable, Sendable, Equatable {
        case number(Double), string(String), bool(Bool), array([JSON]), object([String: JSON]), null

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([JSON].self) { self = .array(a) }
            else { self = .object(try c.decode([String: JSON].self)) }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .number(let n): try c.encode(n)
            case .string(let s): try c.encode(s)
            case .bool(let b): try c.encode(b)
            case .array(let a): try c.encode(a)
            case .object(let o): try c.encode(o)
            case .null: try c.encodeNil()
            }
        }

        /// The leaves of a nested array, in row-major order.
        var flattened: [JSON] { if case .array(let a) = self { a.flatMap(\.flattened) } else { [self] } }
        var int: Int? { if case .number(let n) = self, n.rounded() == n, abs(n) < 1e15 { Int(n) } else { nil } }
        var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    }

    /// One input tensor of a request.
    public struct Input: Codable, Sendable {
        public var name: String, shape: [Int], datatype: String
        public var parameters: [String: JSON]?
        public var data: JSON?
    }

    /// An output a request asks for, and whether in binary.
    public struct RequestedOutput: Codable, Sendable {
        public var name: String
        public var parameters: [String: JSON]?
    }

    public struct Request: Codable, Sendable {
        public var id: String?
        public var parameters: [String: JSON]?
        public var inputs: [Input]
        public var outputs: [RequestedOutput]?
    }

    /// One output tensor of a response: `data` in JSON, or its bytes after the JSON header.
    public struct Output: Codable, Sendable {
        public var name: String, datatype: String, shape: [Int]
        public var parameters: [String: JSON]?
        public var data: [JSON]?
    }

    public struct Response: Codable, Sendable {
        public var model_name: String
        public var model_version: String?
        public var id: String?
        public var outputs: [Output]
    }

    /// A tensor's name, type and shape (-1: any length) in model metadata.
    public struct TensorMetadata: Codable, Sendable, Equatable {
        public var name: String, datatype: String, shape: [Int]
    }

    public struct ModelMetadata: Codable, Sendable {
        public var name: String, versions: [String], platform: String
        public var inputs: [TensorMetadata], outputs: [TensorMetadata]
    }

    public struct ServerMetadata: Codable, Sendable {
        public var name: String, version: String, extensions: [String]
    }

    /// A request the client got wrong: answered 4xx with `{"error": message}`.
    public struct ClientError: Error, CustomStringConvertible, Sendable {
        public let status: Int, message: String
        public init(_ status: Int = 400, _ message: String) { (self.status, self.message) = (status, message) }
        public var description: String { message }
    }

    /// Splits a body into its JSON request and each input's binary data (nil where in JSON).
    public static func parse(body: [UInt8], headerLength: Int?) throws -> (Request, [[UInt8]?]) {
        if let headerLength, headerLength > body.count || headerLength < 0 {
            throw ClientError(400, "Inference-Header-Content-Length is \(headerLength), the body has \(body.count) bytes")
        }
        let json = headerLength.map { Array(body.prefix($0)) } ?? body
        let request: Request
        do { request = try JSONDecoder().decode(Request.self, from: Data(json)) } catch {
            throw ClientError(400, "the request is not an inference request in JSON: \(describe(error))")
        }
        var offset = json.count, binaries: [[UInt8]?] = []
        for input in request.inputs {
            guard let size = input.parameters?["binary_data_size"]?.int else { binaries.append(nil); continue }
            guard size >= 0, offset + size <= body.count else {
                throw ClientError(400, "input \(input.name): binary_data_size \(size) runs past the end of the body")
            }
            binaries.append(Array(body[offset..<(offset + size)]))
            offset += size
        }
        guard offset == body.count else { throw ClientError(400, "\(body.count - offset) bytes after the last binary input") }
        return (request, binaries)
    }

    /// BYTES elements of an input: from its binary data (length-prefixed), or from JSON strings
    /// holding base64 (images are not text).
    public static func byteElements(_ input: Input, binary: [UInt8]?) throws -> [[UInt8]] {
        if let binary {
            var elements: [[UInt8]] = [], i = 0
            while i < binary.count {
                guard i + 4 <= binary.count else { throw ClientError(400, "input \(input.name): a BYTES element's length is cut off") }
                let n = Int(binary[i]) | Int(binary[i + 1]) << 8 | Int(binary[i + 2]) << 16 | Int(binary[i + 3]) << 24
                guard i + 4 + n <= binary.count else { throw ClientError(400, "input \(input.name): a BYTES element of \(n) bytes runs past its data") }
                elements.append(Array(binary[(i + 4)..<(i + 4 + n)]))
                i += 4 + n
            }
            return elements
        }
        guard let data = input.data else { throw ClientError(400, "input \(input.name) has neither data nor binary_data_size") }
        return try data.flattened.map { element in
            guard case .string(let s) = element, let bytes = Data(base64Encoded: s) else {
                throw ClientError(400, "input \(input.name): BYTES data in JSON must be base64 strings (or send them as binary data)")
            }
            return [UInt8](bytes)
        }
    }

    /// UINT8 elements of an input, from binary data or JSON numbers 0–255.
    public static func uint8Elements(_ input: Input, binary: [UInt8]?) throws -> [UInt8] {
        if let binary { return binary }
        guard let data = input.data else { throw ClientError(400, "input \(input.name) has neither data nor binary_data_size") }
        return try data.flattened.map { element in
            guard let v = element.int, (0...255).contains(v) else { throw ClientError(400, "input \(input.name): UINT8 data must be integers 0–255, found \(element)") }
            return UInt8(v)
        }
    }

    /// The length-prefixed binary form of BYTES elements.
    public static func binary(bytes elements: [[UInt8]]) -> [UInt8] {
        elements.flatMap { e in withUnsafeBytes(of: UInt32(e.count).littleEndian, Array.init) + e }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context): return "missing \"\(key.stringValue)\"" + path(context)
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context): return context.debugDescription + path(context)
        case DecodingError.dataCorrupted(let context): return context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription
        default: return "\(error)"
        }
    }

    static func path(_ context: DecodingError.Context) -> String {
        context.codingPath.isEmpty ? "" : " at " + context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
