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
