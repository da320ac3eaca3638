import Foundation

/// Progress of long work on standard error: done/total, rate and ETA. On a terminal one line is
/// rewritten in place; into a file or a CI log a plain line is written every few seconds instead
/// (carriage returns would make one endless line there).
final class Progress: @unchecked Sendable {
    let what: String
    let start = Date()
    private var lastLine = Date.distantPast
    private let terminal = isatty(STDERR_FILENO) != 0
    static let plainInterval = 5.0

    init(_ what: String) { self.what = what }

    func callAsFunction(_ done: Int, _ total: Int) {
        let seconds = Date().timeIntervalSince(start)
        let rate = Double(done) / max(seconds, 1e-9)
        let eta = rate > 0 ? Double(total - done) / rate : .infinity
        let text = String(format: "%@ %d/%d  %.1f/s  ETA %.0f s", what, done, total, rate, eta)
        if terminal {
            FileHandle.standardError.write(Data(("\r" + text + "   " + (done == total ? "\n" : "")).utf8))
        } else if done == total || Date().timeIntervalSince(lastLine) >= Self.plainInterval {
            lastLine = Date()
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }
}
