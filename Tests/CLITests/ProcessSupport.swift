import Foundation
import TestSupport

extension CLI {
    /// Runs galaxynet until `file` has something in it (a training log's first line), then sends
    /// SIGTERM: how it exited and what it printed.
    static func interrupted(_ arguments: [String], once file: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").isEmpty { Thread.sleep(forTimeInterval: 0.02) }
        kill(process.processIdentifier, SIGTERM)
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}

/// A `galaxynet serve` process for a test: started on a free port, stopped with SIGTERM.
final class RunningServer {
    let process = Process(), output = Pipe()
    let port: Int

    init(_ arguments: [String]) throws {
        process.executableURL = CLI.executable
        process.arguments = ["serve", "--port", "0"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line names the port: "serving NAME (…) on http://127.0.0.1:PORT/ — …".
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression), let port = Int(text[range].split(separator: ":")[1]) else {
            process.terminate()
            throw SetUpFailure(arguments: ["serve"] + arguments, status: -1, error: "serve did not say where it listens: \(text)")
        }
        self.port = port
    }

    /// A test that throws before `stop()` still leaves no server behind.
    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// SIGTERM, then what the server printed after its first line and how it exited.
    func stop() -> (status: Int32, output: String) {
        kill(process.processIdentifier, SIGTERM)
        let rest = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, rest)
    }
}

