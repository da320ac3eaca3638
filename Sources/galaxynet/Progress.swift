import Foundation

/// Progress on standard error: done/total, rate and ETA.
func printProgress(_ what: String, _ done: Int, _ total: Int, _ seconds: Double) {
    let rate = Double(done) / max(seconds, 1e-9)
    let eta = rate > 0 ? Double(total - done) / rate : .infinity
    FileHandle.standardError.write(Data(String(format: "\r%@ %d/%d  %.1f/s  ETA %.0f s   ", what, done, total, rate, eta).utf8))
    if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
}
