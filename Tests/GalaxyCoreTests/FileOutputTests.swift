import Foundation
import Testing
import GalaxyCore

@Suite("File output")
struct FileOutputTests {
    /// A full disk or a missing folder is said in the system's words, with the file.
    @Test func failuresNameTheFileAndTheSystemsReason() throws {
        let full = try #require(throws: OutputError.self) { try FileOutput.write(Data("x".utf8), to: "/dev/full", atomically: false) }
        #expect(full.description == "/dev/full: cannot write: No space left on device", "\(full)")
        let missing = try #require(throws: OutputError.self) { try FileOutput.write("x", to: "/nonexistent-folder/file.csv") }
        #expect(missing.description.hasPrefix("/nonexistent-folder/file.csv: cannot write: ") && !missing.description.contains("NSCocoaErrorDomain"), "\(missing)")
    }

    /// Folders, appends and renames fail with the path and the system's reason, never a bare
    /// Foundation message.
    @Test func foldersAppendsAndMovesNameThePath() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("core-\(UUID().uuidString)").path
        try FileOutput.createFolder(root + "/a/b")
        try FileOutput.write("x", to: root + "/file")
        let folder = try #require(throws: OutputError.self) { try FileOutput.createFolder(root + "/file/sub") }
        #expect(folder.description.hasPrefix(root + "/file/sub: cannot write: ") && !folder.description.contains("NSCocoaErrorDomain"), "\(folder)")
        try FileOutput.append(Data("y".utf8), to: root + "/file")
        #expect(try String(contentsOfFile: root + "/file", encoding: .utf8) == "xy")
        let append = try #require(throws: OutputError.self) { try FileOutput.append(Data("y".utf8), to: root + "/missing.log") }
        #expect(append.description.hasPrefix(root + "/missing.log: cannot write: No such file"), "\(append)")
        let move = try #require(throws: OutputError.self) { try FileOutput.move(root + "/none", to: root + "/a/c") }
        #expect(move.description.contains(root + "/none") && move.description.contains("No such file"), "\(move)")
    }
}
