import Foundation

/// A file could not be written; the reason is the system's (no space left, permission denied),
/// not a framework error code.
public struct OutputError: Error, CustomStringConvertible {
    public let file: String
    public let reason: String
    public init(file: String, reason: String) { self.file = file; self.reason = reason }
    public var description: String { "\(file): cannot write: \(reason)" }
}

/// Writing whole files, atomically (a temporary file renamed into place): a reader never sees
/// half a file, and a failure leaves the previous one.
public enum FileOutput {
    public static func write(_ data: Data, to path: String, atomically: Bool = true) throws {
        do { try data.write(to: URL(fileURLWithPath: path), options: atomically ? .atomic : []) } catch {
            throw OutputError(file: path, reason: reason(error))
        }
    }

    public static func write(_ text: String, to path: String) throws { try write(Data(text.utf8), to: path) }

    /// Creates the folder `path` and its parents (nothing if it exists).
    public static func createFolder(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw OutputError(file: path, reason: reason(error))
        }
    }

    /// Appends `data` to the existing file `path`.
    public static func append(_ data: Data, to path: String) throws {
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: data)
        } catch { throw OutputError(file: path, reason: reason(error)) }
    }

    /// Renames `source` to `destination` (same file system: atomic).
    public static func move(_ source: String, to destination: String) throws {
        do { try FileManager.default.moveItem(atPath: source, toPath: destination) } catch {
            throw OutputError(file: destination, reason: "cannot move \(source) here: " + reason(error))
        }
    }

    /// The POSIX message under a Foundation error, when there is one.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? Error, case let u = underlying as NSError, u.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(u.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }
}
