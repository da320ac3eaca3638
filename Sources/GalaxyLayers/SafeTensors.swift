import Foundation
import GalaxyTensor

/// A problem reading a checkpoint, naming the file.
public struct CheckpointError: Error, CustomStringConvertible {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): \(reason)" }
}

/// The safetensors format (8-byte little-endian header length, a JSON header of name → dtype,
/// shape, byte offsets, then the raw little-endian data), readable by the `safetensors` package
/// and by a few lines of NumPy. Float32 only.
public enum SafeTensors {
    public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for (name, tensor) in tensors {
            let bytes = tensor.count * 4
            header[name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the data starts 8-byte aligned.
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - (json.count % 8)) % 8))
        var out = Data()
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(json)
        for (_, tensor) in tensors { tensor.backend.withHostScalars(tensor) { out.append($0) } }
        return out
    }

    /// Writes atomically (temporary file, then rename).
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to path: String) throws {
        try FileOutput.write(encode(tensors, metadata: metadata), to: path)
    }

    /// Reads every tensor, in file order; errors name the file.
    public static func read(_ path: String, backend: any Backend = ReferenceBackend.shared) throws -> [(name: String, tensor: Tensor)] {
        guard let data = FileManager.default.contents(atPath: path) else { throw CheckpointError(file: path, reason: "file not found") }
        return try decode(data, file: path, backend: backend)
    }

    /// The `__metadata__` strings of a safetensors file, read from its header alone (the tensors
    /// are not read); empty when it has none.
    public static func metadata(_ path: String) throws -> [String: String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CheckpointError(file: path, reason: "file not found") }
        defer { try? handle.close() }
        let prefix = try handle.read(upToCount: 8) ?? Data()
        guard prefix.count == 8 else { throw CheckpointError(file: path, reason: "too short for a safetensors file") }
        let length = prefix.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length > 0, length < 100_000_000, let bytes = try handle.read(upToCount: length), bytes.count == length,
              let header = try? JSONSerialization.jsonObject(with: bytes) as? [String: Any] else {
            throw CheckpointError(file: path, reason: "corrupt safetensors header")
        }
        return header["__metadata__"] as? [String: String] ?? [:]
    }

    /// The tensors of a safetensors file's bytes already in memory; errors name `file`.
    public static func decode(_ data: Data, file path: String, backend: any Backend = ReferenceBackend.shared) throws -> [(name: String, tensor: Tensor)] {
        guard data.count >= 8 else { throw CheckpointError(file: path, reason: "too short for a safetensors file") }
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length > 0, 8 + length <= data.count,
              let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any] else {
            throw CheckpointError(file: path, reason: "corrupt safetensors header")
        }
        let body = data.subdata(in: (8 + length)..<data.count)
        var result: [(String, Tensor, Int)] = []
        for (name, value) in header where name != "__metadata__" {
            guard let entry = value as? [String: Any], entry["dtype"] as? String == "F32", let shape = entry["shape"] as? [Int],
                  let offsets = entry["data_offsets"] as? [Int], offsets.count == 2, offsets[1] - offsets[0] == shape.reduce(1, *) * 4,
                  offsets[1] <= body.count else {
                throw CheckpointError(file: path, reason: "tensor \(name): unsupported dtype or inconsistent shape and offsets")
            }
            var values = [Float](repeating: 0, count: shape.reduce(1, *))
            values.withUnsafeMutableBytes { destination in body.copyBytes(to: destination, from: offsets[0]..<offsets[1]) }
            result.append((name, Tensor(shape: shape, scalars: values, backend: backend), offsets[0]))
        }
        return result.sorted { $0.2 < $1.2 }.map { ($0.0, $0.1) }
    }
}

extension Layer {
    /// The named parameter values, in `parameterPaths` order.
    public var namedParameters: [(name: String, tensor: Tensor)] { parameterPaths.map { ($0.name, self[keyPath: $0.keyPath].value) } }

    /// Loads parameter values by name; every parameter must be present with its shape.
    public mutating func load(_ tensors: [(name: String, tensor: Tensor)], file: String) throws {
        let byName = Dictionary(tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        var values: [Tensor] = []
        for path in parameterPaths {
            let current = self[keyPath: path.keyPath].value
            guard let t = byName[path.name] else { throw CheckpointError(file: file, reason: "no tensor named \(path.name)") }
            guard t.shape == current.shape else {
                throw CheckpointError(file: file, reason: "\(path.name) has shape \(t.shape), the model expects \(current.shape)")
            }
            values.append(t)
        }
        setParameterValues(values)
    }
}
