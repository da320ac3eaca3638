import Foundation
import GalaxyCore

/// Source extractions as CSV (`GalaxyID,x,y,a,b,theta,petrosian_radius_px,scale`), the cache
/// `galaxynet extract` writes and the centred models read. Reading checks every row.
public enum ExtractionTable {
    public static let header = "GalaxyID,x,y,a,b,theta,petrosian_radius_px,scale"

    public static func text(ids: [Int], extractions: [SourceExtraction]) -> String {
        require(ids.count == extractions.count, "ExtractionTable: \(ids.count) IDs for \(extractions.count) extractions")
        var text = header + "\n"
        for (id, e) in zip(ids, extractions) {
            text += String(format: "%d,%.3f,%.3f,%.3f,%.3f,%.2f,%.3f,%.4f\n", id, e.x, e.y, e.a, e.b, e.theta, e.petrosianRadius, e.scale)
        }
        return text
    }

    /// Writes atomically.
    public static func write(ids: [Int], extractions: [SourceExtraction], to path: String) throws {
        try FileOutput.write(text(ids: ids, extractions: extractions), to: path)
    }

    /// The extractions by GalaxyID; a malformed row is an error naming the file and line.
    public static func read(_ path: String) throws -> [Int: SourceExtraction] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ImageError(file: path, reason: "file not found") }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first.map(String.init)?.trimmingCharacters(in: .whitespaces) == header else {
            throw ImageError(file: path, reason: "line 1: expected the header \(header)")
        }
        var byID: [Int: SourceExtraction] = [:]
        for (index, line) in lines.enumerated().dropFirst() where !line.isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let values = fields.dropFirst().compactMap { Double($0) }
            guard fields.count == 8, let id = Int(fields[0]), values.count == 7 else {
                throw ImageError(file: path, reason: "line \(index + 1): expected a GalaxyID and 7 numbers")
            }
            byID[id] = SourceExtraction(x: values[0], y: values[1], a: values[2], b: values[3], theta: values[4],
                                        petrosianRadius: values[5], scale: values[6], detected: values[2] > 0)
        }
        return byID
    }
}

extension SourceExtractor {
    /// The extraction of each file, in order, on `threads` threads; the first unreadable file
    /// throws its error. `progress` is called with the number done from a monitor thread.
    public static func extract(files: [String], threads: Int = Parallelism.cores, reader: ImageReader = .standard,
                               progress: (Int) -> Void = { _ in }) throws -> [SourceExtraction] {
        let slots = ResultSlots<Result<SourceExtraction, Error>>(count: files.count)
        let counter = ProgressCounter()
        Parallelism.forEach(count: files.count, threads: threads) { i in
            slots.set(i, Result { SourceExtractor.extract(try reader.read(files[i])) })
            counter.increment()
        } monitor: { progress(counter.value) }
        return try slots.values.map { try $0!.get() }
    }
}
