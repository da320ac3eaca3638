import Foundation
import GalaxyCore

/// One training batch: both 69×69 views of each image (CHW planes in [0, 1]) and its labels.
public struct AugmentedBatch: Sendable {
    /// Planes per view (the run's cutout bands).
    public let bands: Int
    public let step: Int
    /// Row indices of the images into the pipeline's list.
    public let indices: [Int]
    /// B × bands × 69 × 69 each.
    public let view0: [Float], view45: [Float]
    /// B × `labelWidth`.
    public let labels: [Float]
    /// The batch slot of the first image (non-zero for one process's share of a split batch).
    public let firstSlot: Int
    /// The batch slots of the images.
    public var slots: Range<Int> { firstSlot..<(firstSlot + indices.count) }

    public init(step: Int, indices: [Int], view0: [Float], view45: [Float], labels: [Float], firstSlot: Int = 0, bands: Int = 3) {
        require(view0.count == indices.count * CutoutFormat(bands: bands).viewFloats && view45.count == view0.count,
                "AugmentedBatch: \(view0.count) and \(view45.count) floats for \(indices.count) images of \(bands) bands")
        self.bands = bands
        self.step = step; self.indices = indices; self.view0 = view0; self.view45 = view45; self.labels = labels
        self.firstSlot = firstSlot
    }
}

/// How a source image is resampled into the views.
public enum ResamplingMode: String, Sendable, Codable, CaseIterable {
    /// Bilinear from the full-size image, exactly as the original (no anti-aliasing).
    case faithful
    /// Bilinear from the decoder's 1/2-size output, which is pre-filtered (less aliasing of the 3×
    /// downsampling, and a cheaper decode). Its effect on accuracy is to be measured, not assumed.
    case antiAliased
}

/// Realtime augmentation: worker threads decode and augment upcoming batches into a bounded
/// buffer while training runs.
///
/// Batch `step` is a pure function of (seed, step): its images are drawn from the stream
/// (seed, 2, step) and each image's transform and colour shift from (seed, step, slot), so a run
/// is reproducible whichever thread made which batch, and no image is ever augmented the same
/// way twice. Workers run at most `capacity` batches ahead of the consumer (back-pressure).
public final class AugmentationPipeline: @unchecked Sendable {
    public struct Source: Sendable {
        public var paths: [String]
        /// n × labelWidth label values (may be empty for unlabelled images, with labelWidth 0).
        public var labels: [Float]
        public var labelWidth: Int
        /// Per-image centring and rescaling (the source-extraction variants); nil for none.
        public var extractions: [SourceExtraction]?
        /// What the images are (the run's cutout format).
        public var cutout: CutoutFormat
        public init(paths: [String], labels: [Float], labelWidth: Int, extractions: [SourceExtraction]? = nil, cutout: CutoutFormat = .sdss) {
            self.paths = paths; self.labels = labels; self.labelWidth = labelWidth; self.extractions = extractions; self.cutout = cutout
        }
    }

    public let source: Source
    public let batchSize: Int
    /// The slots of each batch this pipeline builds (all of them, or one process's share of a
    /// batch split across processes); every slot's draws are the same whoever builds it.
    public let slots: Range<Int>
    public let seed: UInt64
    public let mode: ResamplingMode
    public let capacity: Int
    let cache: DecodedImageCache?

    private let condition = NSCondition()
    private var ready: [Int: Result<AugmentedBatch, Error>] = [:]
    private var nextToClaim: Int
    private var nextToDeliver: Int
    private var stopped = false
    private var threads: [Thread] = []

    /// Starts `workers` threads producing batches from `startStep` on.
    public init(source: Source, batchSize: Int, seed: UInt64, workers: Int, capacity: Int = 4,
                mode: ResamplingMode = .faithful, cache: DecodedImageCache? = nil, startStep: Int = 0, slots: Range<Int>? = nil) {
        require(!source.paths.isEmpty && batchSize > 0 && batchSize <= source.paths.count,
                "AugmentationPipeline: batch size \(batchSize) needs 1…\(source.paths.count) images")
        self.source = source
        self.batchSize = batchSize
        self.slots = slots ?? 0..<batchSize
        require(self.slots.lowerBound >= 0 && self.slots.upperBound <= batchSize && !self.slots.isEmpty,
                "AugmentationPipeline: slots \(self.slots) are not a part of a batch of \(batchSize)")
        self.seed = seed
        self.mode = mode
        self.capacity = max(1, capacity)
        self.cache = cache
        require(cache == nil || source.cutout.bands == 3, "AugmentationPipeline: the decoded-image cache holds colour images, not \(source.cutout)")
        self.nextToClaim = startStep
        self.nextToDeliver = startStep
        for _ in 0..<max(0, workers) {
            // The workers hold the pipeline until `stop()`: an unowned capture crashed when a
            // pipeline was stopped and released before a worker had started.
            let thread = Thread { [self] in self.work() }
            thread.stackSize = 1 << 22
            threads.append(thread)
            thread.start()
        }
    }

    deinit { stop() }

    /// The next batch in step order (blocks until a worker has made it); rethrows a decode error.
    public func next() throws -> AugmentedBatch {
        if threads.isEmpty {  // no workers: produce on the calling thread
            defer { nextToDeliver += 1 }
            return try Self.make(step: nextToDeliver, pipeline: self)
        }
        condition.lock()
        defer { condition.unlock() }
        while ready[nextToDeliver] == nil { condition.wait() }
        let result = ready.removeValue(forKey: nextToDeliver)!
        nextToDeliver += 1
        condition.broadcast()
        return try result.get()
    }

    /// Stops the workers (they finish the batch in hand). Call it when done: until then the
    /// workers hold the pipeline.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while !stopped && nextToClaim >= nextToDeliver + capacity { condition.wait() }
            if stopped { condition.unlock(); return }
            let step = nextToClaim
            nextToClaim += 1
            condition.unlock()
            let result = Result { try Self.make(step: step, pipeline: self) }
            condition.lock()
            ready[step] = result
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The images of batch `step`: distinct indices drawn from the stream (seed, 2, step).
    public func indices(step: Int) -> [Int] {
        var g = SeededGenerator(seed: seed, stream: 2, UInt64(step))
        var chosen = Set<Int>(), order: [Int] = []
        while order.count < batchSize {
            let i = Int(g.next() % UInt64(source.paths.count))
            if chosen.insert(i).inserted { order.append(i) }
        }
        return order
    }

    /// The decoded source image for the configured mode.
    public func image(_ index: Int) throws -> any SourceImage {
        if let cache { return mode == .faithful ? cache.image(index) : cache.image(index).shrunk(by: 2) }
        return try ImageSource.read(source.paths[index], halfSize: mode == .antiAliased, cutout: source.cutout)
    }

    static func make(step: Int, pipeline p: AugmentationPipeline) throws -> AugmentedBatch {
        let all = p.indices(step: step), indices = Array(all[p.slots])
        let cutout = p.source.cutout, viewCount = cutout.viewFloats
        var view0 = [Float](repeating: 0, count: indices.count * viewCount), view45 = view0
        var labels = [Float](repeating: 0, count: indices.count * p.source.labelWidth)
        for (position, index) in indices.enumerated() {
            let slot = p.slots.lowerBound + position
            var g = SeededGenerator(seed: p.seed, stream: UInt64(step), UInt64(slot))
            let e = p.source.extractions?[index]
            let (transform, alpha) = Augmentation.draw(&g, centreX: e?.x ?? cutout.centre, centreY: e?.y ?? cutout.centre, scale: e?.scale ?? 1)
            var (v0, v45) = AffineWarp.views(try p.image(index), transform, cutout: cutout, halfSizeSource: p.mode == .antiAliased)
            Augmentation.shiftColour(&v0, by: alpha, bands: cutout.bands)
            Augmentation.shiftColour(&v45, by: alpha, bands: cutout.bands)
            view0.replaceSubrange((position * viewCount)..<((position + 1) * viewCount), with: v0)
            view45.replaceSubrange((position * viewCount)..<((position + 1) * viewCount), with: v45)
            let w = p.source.labelWidth
            if w > 0 { labels.replaceSubrange((position * w)..<((position + 1) * w), with: p.source.labels[(index * w)..<((index + 1) * w)]) }
        }
        return AugmentedBatch(step: step, indices: indices, view0: view0, view45: view45, labels: labels, firstSlot: p.slots.lowerBound, bands: cutout.bands)
    }
}

/// Decoded 424×424 RGB images in one memory-mapped file (uint8), for datasets that fit: decoding
/// every JPEG once instead of at every use. The file is a 16-byte header ("GNRGB\0", width,
/// height, count as little-endian UInt16/UInt16/UInt32) followed by the pixels.
public final class DecodedImageCache: @unchecked Sendable {
    public let width: Int, height: Int, count: Int
    private let base: UnsafeMutableRawPointer
    private let length: Int

    /// Decodes `paths` (in parallel) into `file`, atomically.
    public static func build(paths: [String], file: String, width: Int = 424, height: Int = 424, threads: Int = Parallelism.cores) throws {
        let temporary = file + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
            throw ImageError(file: file, reason: "cannot create the image cache")
        }
        var header = [UInt8](repeating: 0, count: 16)
        header.replaceSubrange(0..<6, with: Array("GNRGB".utf8) + [0])
        header[6] = UInt8(width & 0xFF); header[7] = UInt8(width >> 8)
        header[8] = UInt8(height & 0xFF); header[9] = UInt8(height >> 8)
        for k in 0..<4 { header[10 + k] = UInt8((paths.count >> (8 * k)) & 0xFF) }
        handle.write(Data(header))
        // Decode in chunks on all cores, write in order.
        let chunk = 64
        for first in stride(from: 0, to: paths.count, by: chunk) {
            let range = first..<min(first + chunk, paths.count)
            let slots = ResultSlots<Result<RGBImage, Error>>(count: range.count)
            Parallelism.forEach(count: range.count, threads: threads) { i in
                slots.set(i, Result { try JPEG.read(paths[range.lowerBound + i], expectedSize: (width, height)) })
            } monitor: {}
            for slot in slots.values { handle.write(Data(try slot!.get().pixels)) }
        }
        try handle.close()
        guard rename(temporary, file) == 0 else { throw ImageError(file: file, reason: "cannot move the finished cache into place") }
    }

    /// Maps an existing cache file.
    public init(file: String) throws {
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else { throw ImageError(file: file, reason: "cannot open the image cache") }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        length = Int(info.st_size)
        guard length >= 16, let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw ImageError(file: file, reason: "cannot map the image cache")
        }
        base = mapped
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        guard Array(UnsafeBufferPointer(start: bytes, count: 5)) == Array("GNRGB".utf8) else {
            munmap(base, length)
            throw ImageError(file: file, reason: "not a GalaxyNet image cache")
        }
        width = Int(bytes[6]) | Int(bytes[7]) << 8
        height = Int(bytes[8]) | Int(bytes[9]) << 8
        count = (0..<4).reduce(0) { $0 | Int(bytes[10 + $1]) << (8 * $1) }
        guard length == 16 + count * width * height * 3 else {
            munmap(base, length)
            throw ImageError(file: file, reason: "truncated image cache: \(length) bytes for \(count) images of \(width)x\(height)")
        }
    }

    deinit { munmap(base, length) }

    public func image(_ index: Int) -> RGBImage {
        require(index >= 0 && index < count, "DecodedImageCache: index \(index) outside 0..<\(count)")
        let size = width * height * 3
        let start = base.advanced(by: 16 + index * size).assumingMemoryBound(to: UInt8.self)
        return RGBImage(width: width, height: height, pixels: Array(UnsafeBufferPointer(start: start, count: size)))
    }
}
