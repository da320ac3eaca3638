import Foundation
import GalaxyCore

/// A seeded mutation fuzzer (the libFuzzer idea without its instrumentation, which this
/// toolchain's Linux build does not ship for Swift): each iteration takes a seed file from the
/// corpus, applies a few random mutations — bit flips, interesting bytes, truncation, deleted,
/// duplicated or inserted runs — and hands the bytes to the reader under test. A reader may
/// throw (that is its job); a crash, hang or trap fails the suite.
///
/// The iteration count comes from `GALAXYNET_FUZZ_ITERATIONS` (default: a few seconds' worth in
/// `make test`; `make fuzz` runs a long session). The input of the iteration in progress is
/// kept in `$TMPDIR/galaxynet-fuzz-<target>.last` so a crash can be replayed.
struct Mutator {
    var generator: SeededGenerator

    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(generator.next() % UInt64(n)) }

    static let interesting: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x2C, 0x0A, 0x22, 0x2D, 0x2E, 0x30, 0x39, 0x7B, 0x7D, 0x5B, 0x5D]

    mutating func mutate(_ seed: [UInt8]) -> [UInt8] {
        var bytes = seed
        for _ in 0...below(4) {
            guard !bytes.isEmpty else { bytes = [Self.interesting[below(Self.interesting.count)]]; continue }
            let at = below(bytes.count)
            switch below(7) {
            case 0: bytes[at] ^= UInt8(1 << below(8))
            case 1: bytes[at] = Self.interesting[below(Self.interesting.count)]
            case 2: bytes.removeSubrange(at...)
            case 3: bytes.removeSubrange(at..<min(bytes.count, at + 1 + below(64)))
            case 4: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 1 + below(64))], at: below(bytes.count))
            case 5: bytes.insert(contentsOf: (0...below(8)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, at: at)
            default: bytes[at] = UInt8(truncatingIfNeeded: generator.next())
            }
        }
        return bytes
    }

    static var iterations: Int {
        ProcessInfo.processInfo.environment["GALAXYNET_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 300
    }

    /// What a run found: inputs tried, accepted, and the rejections whose message does not name
    /// the file (a user could not tell which file is wrong).
    struct Outcome {
        var iterations = 0, accepted = 0, rejected = 0
        var unnamed: [String] = []
    }

    /// Runs `read` on `iterations` mutants of the corpus, through a file named like the corpus
    /// entry (readers pick the format by extension). A crash stops the test process itself and
    /// leaves the input that caused it in `galaxynet-fuzz-TARGET.last`.
    static func run(_ target: String, corpus: [(name: String, bytes: [UInt8])], seed: UInt64 = 2026,
                    read: (String) throws -> Void) -> Outcome {
        var mutator = Mutator(seed: seed)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("galaxynet-fuzz-\(target)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let last = FileManager.default.temporaryDirectory.appendingPathComponent("galaxynet-fuzz-\(target).last").path
        var outcome = Outcome(iterations: iterations)
        for i in 0..<iterations {
            let entry = corpus[i % corpus.count]
            let bytes = i < corpus.count ? entry.bytes : mutator.mutate(entry.bytes)
            let path = folder + "/" + entry.name
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            FileManager.default.createFile(atPath: last, contents: Data(bytes))
            do {
                try read(path)
                outcome.accepted += 1
            } catch {
                outcome.rejected += 1
                if !"\(error)".contains(entry.name) && outcome.unnamed.count < 5 { outcome.unnamed.append("\(error)") }
            }
        }
        try? FileManager.default.removeItem(atPath: last)
        return outcome
    }
}
