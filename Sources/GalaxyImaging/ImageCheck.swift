import Foundation
import GalaxyCore

/// Reads every image of a list once, in parallel, and reports the ones that cannot be used
/// (missing, truncated, corrupt, of the wrong size or colour space): a training run checks its
/// images before the first update rather than dying on one of them hours in.
public enum ImageCheck {
    /// What to do with images that fail the check.
    public enum Policy: String, Codable, Sendable, CaseIterable {
        /// Stop before training, listing every bad image.
        case fail
        /// Leave them out of training and validation, list them in the run folder, and go on.
        case skip
    }

    /// The failures by index into `paths`, ascending; `progress` gets (checked, total) about
    /// every second.
    public static func failures(paths: [String], cutout: CutoutFormat = .sdss, threads: Int = Parallelism.cores,
                                progress: (Int, Int) -> Void = { _, _ in }) -> [(index: Int, error: ImageError)] {
        let slots = ResultSlots<ImageError>(count: paths.count), done = ProgressCounter()
        Parallelism.forEach(count: paths.count, threads: threads) { i in
            do { _ = try ImageSource.read(paths[i], cutout: cutout) } catch let error as ImageError { slots.set(i, error) } catch {
                slots.set(i, ImageError(file: paths[i], reason: "\(error)"))
            }
            done.increment()
        } monitor: { progress(done.value, paths.count) }
        return slots.values.enumerated().compactMap { i, e in e.map { (i, $0) } }
    }
}
