import Foundation
import Loop
import Synchronization

/// A durable log of events in segment files: the node's incoming log (`<data_dir>/incoming`: every accepted event,
/// in arrival order, on disk before its request is answered; every destination reads it at its own committed
/// offset) and each topic log of the connectors (`<data_dir>/topics/...`).
///
/// Loop-bound. Appends use group commit: while one write and fdatasync run, newer appends wait together, and the
/// next flush writes them all with one sync, so a busy node pays one fsync per few milliseconds rather than one per
/// request. The flushes run in a flusher on an I/O thread that goes on to the next batch as soon as a sync returns,
/// for as long as appends keep coming: under load no flush waits for a thread to wake or for the loop to hear of the
/// one before. Offsets are assigned when a flush is written, so a failed flush leaves no gap.
public final class EventLog: @unchecked Sendable {
    public let loop: EventLoop
    public let directory: String
    private let files: SegmentFiles
    private let work: WorkQueue
    /// First offsets of the segment files, oldest first; the last is being appended to.
    private var segments: [UInt64]
    /// Everything below this offset is durable; readers never go past it.
    private var durableEnd: LogPosition
    /// The next flush's appends, shared with the flusher.
    private let gathering = Mutex(Gathering())
    /// Callers waiting for their flush, in append order (loop-only); flushes complete in that order.
    private var waiting: [CheckedContinuation<Range<UInt64>, any Error>] = []
    /// The offset the flusher gives the next record. The flusher's own: one runs at a time, and each starts and
    /// stops under `gathering`'s lock.
    private var nextOffset: UInt64
    private var isClosed = false
    private var waitingReaders: [CheckedContinuation<Void, Never>] = []
    /// `close()` waiting for the last flush.
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// Completed flushes (each one write and one fdatasync), for tests and metrics.
    public private(set) var flushes = 0
    /// Bytes cut after the last record at open (torn by a crash before they were acknowledged, or left from a
    /// recycled file's earlier use).
    public let recoveredTruncatedBytes: Int

    private struct Gathering {
        /// Records appended already encoded, framed in arrival order.
        var frames: [UInt8] = []
        /// Each append, in arrival order.
        var entries: [Entry] = []
        /// Whether a flusher runs; the append that finds none starts one.
        var flusherRuns = false
    }

    /// What one append brings to a flush.
    private enum Entry: Sendable {
        /// `count` records framed in `Gathering.frames`, `bytes` long.
        case framed(count: Int, bytes: Int)
        /// Records to be made by the flush (`append(encodedBy:)`).
        case deferred(@Sendable () throws -> [[UInt8]])
    }

    /// What a flush did with each entry (its record count, or why it has none) and with the disk.
    private struct Flushed: Sendable {
        var outcomes: [Result<Int, any Error>]
        var first: UInt64
        /// The segment begun by this flush, if any, and the end of its records (nil: every append was refused, and
        /// nothing was written); or the write's error.
        var write: Result<(started: UInt64?, end: LogPosition)?, any Error>
    }

    private init(loop: EventLoop, files: SegmentFiles, recovery: SegmentFiles.Recovery) {
        self.loop = loop
        self.directory = files.directory
        self.files = files
        self.work = WorkQueue(loop: loop)
        segments = recovery.segments
        durableEnd = LogPosition(offset: recovery.nextOffset, segment: files.activeBase, byte: files.activeSize)
        nextOffset = recovery.nextOffset
        recoveredTruncatedBytes = recovery.truncatedBytes
    }

    /// Opens (creating, or recovering after a crash) the log in `directory`. Call on the loop.
    /// - Parameters:
    ///   - maxSegmentAge: seconds after which the active segment is closed at the next append (see `retain`).
    ///   - spareSegments: how many trimmed segments are kept to be written over by new ones, which makes each group
    ///     commit's sync cheaper for that much disk (`SegmentFiles`).
    ///   - preparesSpares: whether a spare is written ahead of need while none is left.
    public static func open(directory: String, loop: EventLoop, maxSegmentBytes: Int = 64 << 20, maxSegmentAge: Int? = nil,
                            spareSegments: Int = 0, preparesSpares: Bool = false) async throws -> EventLog {
        let files = SegmentFiles(directory: directory, maxSegmentBytes: maxSegmentBytes, maxSegmentAge: maxSegmentAge,
                                 spareLimit: spareSegments, preparesSpares: preparesSpares)
        let recovery = try await WorkQueue(loop: loop).run { try files.recover() }
        return EventLog(loop: loop, files: files, recovery: recovery)
    }

    /// The offset the next record will get; every record below it is durable.
    public var endOffset: UInt64 { durableEnd.offset }

    /// The oldest offset still on disk.
    public var startOffset: UInt64 { segments.first ?? 0 }

    /// Appends `payloads` and returns their offsets once they are on disk. Throws when the disk write fails, in
    /// which case none of them is in the log.
    public func append(_ payloads: [[UInt8]]) async throws -> Range<UInt64> {
        loop.assertInLoop()
        guard !isClosed else { throw EventLogError.closed }
        return try await withCheckedThrowingContinuation { continuation in
            // Frames and waiter join the batch together: the call may suspend before this closure runs, and a
            // flush must not take the frames without the waiter.
            waiting.append(continuation)
            startFlusher(if: gathering.withLock { gathering in
                let before = gathering.frames.count
                for payload in payloads { LogFrame.append(payload, to: &gathering.frames) }
                return Self.add(.framed(count: payloads.count, bytes: gathering.frames.count - before), to: &gathering)
            })
        }
    }

    /// Appends the records `encode` returns, and returns their offsets once they are on disk. `encode` runs in the
    /// flush that writes them, on its I/O thread, so the loop hands over a request's raw bytes and goes on: making
    /// the records of an ingestion request (scanning its JSON, enriching each event) took a third of the loop's
    /// time per request. Throws what `encode` throws, in which case nothing of it is in the log, or the disk
    /// write's error.
    public func append(encodedBy encode: @escaping @Sendable () throws -> [[UInt8]]) async throws -> Range<UInt64> {
        loop.assertInLoop()
        guard !isClosed else { throw EventLogError.closed }
        return try await withCheckedThrowingContinuation { continuation in
            waiting.append(continuation)
            startFlusher(if: gathering.withLock { Self.add(.deferred(encode), to: &$0) })
        }
    }

    /// Adds `entry` to the gathering batch; true when no flusher runs, and the caller is to start one.
    private static func add(_ entry: Entry, to gathering: inout Gathering) -> Bool {
        gathering.entries.append(entry)
        defer { gathering.flusherRuns = true }
        return !gathering.flusherRuns
    }

    private func startFlusher(if needed: Bool) {
        if needed { BackgroundWork.blocking.submit { [self] in flushWhileGathered() } }
    }

    /// The flusher (on an I/O thread): flushes what gathered, then what gathered meanwhile, until nothing has.
    private func flushWhileGathered() {
        var spare = Gathering()
        while true {
            let batch = gathering.withLock { gathering -> Gathering? in
                if gathering.entries.isEmpty {
                    gathering.flusherRuns = false
                    return nil
                }
                // The next batch gathers in buffers sized like this one, allocated outside the lock.
                swap(&gathering.frames, &spare.frames)
                swap(&gathering.entries, &spare.entries)
                return spare
            }
            guard let batch else { return }
            let flushed = flush(batch)
            Task(executorPreference: loop) { [self] in complete(flushed) }
            spare = Gathering()
            spare.frames.reserveCapacity(batch.frames.count)
            spare.entries.reserveCapacity(batch.entries.count)
        }
    }

    /// Encodes, seals, writes and syncs one batch (on the flusher's thread).
    private func flush(_ batch: Gathering) -> Flushed {
        var (frames, outcomes) = Self.frame(batch.entries, framed: batch.frames)
        let first = nextOffset
        var records = 0
        for case .success(let count) in outcomes { records += count }
        guard records > 0 else {
            return Flushed(outcomes: outcomes, first: first, write: .success(nil))
        }
        LogFrame.seal(&frames, from: first)
        do {
            let started = try files.append(frames, firstOffset: first)
            nextOffset = first + UInt64(records)
            return Flushed(outcomes: outcomes, first: first,
                           write: .success((started, LogPosition(offset: nextOffset, segment: files.activeBase, byte: files.activeSize))))
        } catch {
            // An append whose own records failed keeps its cause; the others lost theirs to the disk.
            outcomes = outcomes.map { outcome in if case .failure = outcome { outcome } else { .failure(error) } }
            return Flushed(outcomes: outcomes, first: first, write: .failure(error))
        }
    }

    /// Answers a flush's callers (on the loop, in flush order).
    private func complete(_ flushed: Flushed) {
        if case .success(let (started, end)?) = flushed.write {
            flushes += 1
            if let started { segments.append(started) }
            durableEnd = end
            wakeReaders()
        }
        var next = flushed.first
        for (outcome, continuation) in zip(flushed.outcomes, waiting) {
            switch outcome {
            case .success(let count):
                continuation.resume(returning: next..<(next + UInt64(count)))
                next += UInt64(count)
            case .failure(let error):
                continuation.resume(throwing: error)
            }
        }
        waiting.removeFirst(flushed.outcomes.count)
        if waiting.isEmpty {
            let waiters = idleWaiters
            idleWaiters.removeAll()
            for waiter in waiters { waiter.resume() }
        }
    }

    /// The frames of a batch in arrival order, encoding the deferred entries (on the flusher's thread).
    private static func frame(_ entries: [Entry], framed: [UInt8]) -> (frames: [UInt8], outcomes: [Result<Int, any Error>]) {
        var frames: [UInt8] = []
        frames.reserveCapacity(framed.count + entries.count * 1536)
        var outcomes: [Result<Int, any Error>] = []
        outcomes.reserveCapacity(entries.count)
        var framedAt = 0
        for entry in entries {
            switch entry {
            case .framed(let count, let bytes):
                frames.append(contentsOf: framed[framedAt..<(framedAt + bytes)])
                framedAt += bytes
                outcomes.append(.success(count))
            case .deferred(let encode):
                outcomes.append(Result {
                    let payloads = try encode()
                    for payload in payloads { LogFrame.append(payload, to: &frames) }
                    return payloads.count
                })
            }
        }
        return (frames, outcomes)
    }

    /// Where `offset` is on disk, for a reader starting there (clamped to what the log holds).
    public func position(of offset: UInt64) async throws -> LogPosition {
        loop.assertInLoop()
        let target = min(max(offset, startOffset), durableEnd.offset)
        if target == durableEnd.offset { return durableEnd }
        let (segments, end) = (segments, durableEnd)
        return try await work.run { [files] in try files.locate(target, segments: segments, durableEnd: end) }
    }

    /// Reads up to `limit` records (about `maxBytes`) from `position`; empty when the reader is at the end.
    public func read(from position: LogPosition, limit: Int, maxBytes: Int = 8 << 20) async throws -> (entries: [LogEntry], next: LogPosition) {
        loop.assertInLoop()
        guard position.offset < durableEnd.offset else { return ([], position) }
        let (segments, end) = (segments, durableEnd)
        return try await work.run { [files] in
            try files.read(from: position, durableEnd: end, segments: segments, limit: limit, maxBytes: maxBytes)
        }
    }

    /// Returns once records beyond `offset` are durable, or the log closes.
    public func waitForRecords(after offset: UInt64) async {
        loop.assertInLoop()
        guard durableEnd.offset <= offset, !isClosed else { return }
        await withCheckedContinuation { waitingReaders.append($0) }
    }

    /// Returns once records beyond `offset` are durable and either `enough` of them are or `linger` has passed
    /// (sooner when `pause` is woken, or the log closes). A reader that chased every group commit would read a few
    /// records at a time, waking an I/O thread and its own task about a thousand times a second under load; this
    /// gathers them as a Kafka consumer's `fetch.min.bytes` and `fetch.max.wait.ms` do.
    public func waitForRecords(after offset: UInt64, enough: UInt64, linger: Duration, pause: Pause) async {
        await waitForRecords(after: offset)
        if !isClosed, durableEnd.offset > offset, durableEnd.offset - offset < enough { await pause.sleep(linger) }
    }

    /// Makes every `waitForRecords` return now (a runner stopping).
    public func interruptWaits() {
        loop.assertInLoop()
        wakeReaders()
    }

    private func wakeReaders() {
        let readers = waitingReaders
        waitingReaders.removeAll()
        for reader in readers { reader.resume() }
    }

    /// Deletes segments that hold only records below `offset` (every destination has committed past them).
    public func trim(below offset: UInt64) async {
        loop.assertInLoop()
        var removable: [UInt64] = []
        while segments.count > 1, segments[1] <= offset {
            removable.append(segments.removeFirst())
        }
        guard !removable.isEmpty else { return }
        _ = try? await work.run { [files, removable] in for base in removable { files.remove(base: base) } }
    }

    /// Retention: deletes closed segments last written more than `maxAge` ago, then the oldest while the log holds
    /// more than `maxBytes`, whether or not a reader has passed them (a reader behind resumes at `startOffset`).
    /// Returns how many records went.
    @discardableResult
    public func retain(maxAge: Duration, maxBytes: Int) async -> UInt64 {
        loop.assertInLoop()
        let cutoff = time(nil) - Int(maxAge.components.seconds)
        let candidates = segments
        guard candidates.count > 1,
              let expired = try? await work.run({ [files] in files.expired(candidates, cutoff: cutoff, maxBytes: maxBytes) }),
              let last = expired.last, let index = segments.firstIndex(of: last) else { return 0 }
        let before = startOffset
        segments.removeFirst(index + 1)
        _ = try? await work.run { [files] in for base in expired { files.remove(base: base) } }
        return startOffset - before
    }

    /// Stops accepting appends, waits for the flushes of those made, and closes the file; waiting readers return.
    public func close() async {
        loop.assertInLoop()
        isClosed = true
        wakeReaders()
        if !waiting.isEmpty { await withCheckedContinuation { idleWaiters.append($0) } }
        _ = try? await work.run { [files] in files.closeFiles() }
    }
}

public enum EventLogError: Error, CustomStringConvertible {
    case closed

    public var description: String { "the log is closed" }
}
