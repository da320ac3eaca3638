import Foundation

/// The record a run keeps as it trains: every `logEvery` updates (and at each validation) a
/// line in log.jsonl with the mean loss since the last line, the rate and the phase; a progress
/// line with the ETA; at each validation the learning curve redrawn. Only the writing process
/// (rank 0) writes; the others keep the same window so their rates agree.
public struct TrainingLog {
    let run: RunFolder
    let options: TrainingOptions
    /// The training-mean prediction's validation RMSE, drawn as the curve's baseline.
    let baseline: Double
    let title: String
    let writes: Bool
    let progress: (String) -> Void
    private let start = Date(), startStep: Int
    private var lossSum = 0.0, lossCount = 0, windowStart = Date(), windowImages = 0
    /// Whether the loss is a mean squared error (its root is shown) or a negative log-likelihood per galaxy.
    public var squaredError = true

    /// `window`: the losses a checkpoint kept since its last log line, when resuming.
    public init(run: RunFolder, options: TrainingOptions, baseline: Double, title: String, startStep: Int, writes: Bool,
                window: RunFolder.LossWindow? = nil, progress: @escaping (String) -> Void) {
        (self.run, self.options, self.baseline, self.title) = (run, options, baseline, title)
        (self.startStep, self.writes, self.progress) = (startStep, writes, progress)
        if let window { (lossSum, lossCount) = (window.sum, window.count) }
    }

    /// The losses since the last line, for a checkpoint.
    public var window: RunFolder.LossWindow { RunFolder.LossWindow(sum: lossSum, count: lossCount) }

    /// Whether update `step` is validated.
    public func validates(_ step: Int) -> Bool { step % options.validateEvery == 0 || step == options.steps }

    /// Records update `step`'s loss over `images` images; writes a line when one is due.
    public mutating func record(step: Int, loss: Float, images: Int, learningRate: Float, validationRMSE: Double?) throws {
        lossSum += Double(loss); lossCount += 1; windowImages += images
        let validated = validates(step)
        guard step % options.logEvery == 0 || validated else { return }
        defer { lossSum = 0; lossCount = 0; windowStart = Date(); windowImages = 0 }
        guard writes else { return }
        let rate = Double(windowImages) / max(Date().timeIntervalSince(windowStart), 1e-9)
        let entry = RunFolder.LogEntry(step: step, loss: lossSum / Double(lossCount), learning_rate: learningRate, images_per_second: rate,
                                       validation_rmse: validated ? validationRMSE : nil, phase: step <= options.warmUpSteps ? "warm-up" : "normalised")
        try run.append(entry)
        let done = Double(step - startStep), elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / done * Double(options.steps - step) : 0
        let shown = squaredError ? String(format: "loss %.5f (RMSE %.4f)", entry.loss, entry.loss.squareRoot())
            : String(format: "loss %.4f (−log P of the votes per galaxy)", entry.loss)
        progress(String(format: "step %d/%d  %@  lr %g  %.1f img/s  ETA %@%@", step, options.steps, shown, entry.learning_rate, rate, Self.duration(eta),
                        validated ? String(format: "  validation RMSE %.4f", validationRMSE ?? .nan) : ""))
        if validated { try run.writeCurve(LearningCurve.svg(run.readLog(), baseline: baseline.isFinite ? baseline : nil, title: title)) }
    }

    /// Seconds since the log began.
    public var elapsed: Double { Date().timeIntervalSince(start) }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) : String(format: "%dm%02ds", s / 60, s % 60)
    }
}
