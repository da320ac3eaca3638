import Foundation

/// Checks of a path a command will write, made before any work: the folder exists and is
/// writable, the extension names the format written (no PNG in `x.jpg`, no CSV text in
/// `x.fits`), and the path is none of the command's inputs (nothing a user made is overwritten).
public enum OutputPath {
    public static func check(_ path: String, extensions: [String]? = nil, inputs: [String] = []) throws {
        let folder = (path as NSString).deletingLastPathComponent
        guard FileManager.default.isWritableFile(atPath: folder.isEmpty ? "." : folder) else {
            throw OutputError(file: path, reason: "the folder \(folder) does not exist or is not writable")
        }
        if let extensions {
            let ext = (path as NSString).pathExtension.lowercased()
            guard extensions.contains(ext) else {
                throw OutputError(file: path, reason: "the extension decides the format written here: give a name ending in "
                                  + extensions.map { "." + $0 }.joined(separator: " or "))
            }
        }
        if let input = inputs.first(where: { same(path, $0) }) {
            throw OutputError(file: path, reason: "this is an input of the command (\(input)); give another output name")
        }
    }

    /// Whether two paths name the same file (after resolving `.`/`..` and symbolic links; the file
    /// itself need not exist yet).
    public static func same(_ a: String, _ b: String) -> Bool {
        func canonical(_ path: String) -> String {
            let url = URL(fileURLWithPath: path).standardizedFileURL
            let resolved = url.resolvingSymlinksInPath()
            if FileManager.default.fileExists(atPath: resolved.path) { return resolved.path }
            return url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(url.lastPathComponent).path
        }
        return canonical(a) == canonical(b)
    }
}
