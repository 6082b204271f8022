import Foundation
import Loop

/// A durable log of events in segment files: the node's incoming log (`<data_dir>/incoming`: every accepted event,
/// in arrival order, on disk before its request is answered; every destination reads it at its own committed
/// offset) and each topic log of the connectors (`<data_dir>/topics/...`).
///
/// Loop-bound. Appends use group commit: while one write and fdatasync run on the work queue, newer appends wait
/// together, and the next flush writes them all with one sync, so a busy node pays one fsync per few milliseconds
/// rather than one per request. Offsets are assigned when a flush is written, so a failed flush leaves no gap.
public final class EventLog: @unchecked Sendable {
    public let loop: EventLoop
    public let directory: String
    private let files: SegmentFiles
    private let work: WorkQueue
    /// First offsets of the segment files, oldest first; the last is being appended to.
    private var segments: [UInt64]
    /// Everything below this offset is durable; readers never go past it.
    private var durableEnd: LogPosition
    private var pending = Pending()
    private var isFlushing = false
    private var isClosed = false
    private var waitingReaders: [CheckedContinuation<Void, Never>] = []
    /// `close()` waiting for the last flush.
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// Completed flushes (each one write and one fdatasync), for tests and metrics.
    public private(set) var flushes = 0
    /// Bytes cut after the last record at open (torn by a crash before they were acknowledged, or left from a
    /// recycled file's earlier use).
    public let recoveredTruncatedBytes: Int

    private struct Pending {
        /// Records appended already encoded, framed in arrival order.
        var frames: [UInt8] = []
        /// Each append of the batch, in arrival order, with its waiting caller.
        var entries: [Entry] = []
        var continuations: [CheckedContinuation<Range<UInt64>, any Error>] = []
    }

    /// What one append brings to a flush.
    private enum Entry: Sendable {
        /// `count` records framed in `Pending.frames`, `bytes` long.
        case framed(count: Int, bytes: Int)
        /// Records to be made by the flush (`append(encodedBy:)`).
        case deferred(@Sendable () throws -> [[UInt8]])
    }

    private init(loop: EventLoop, files: SegmentFiles, recovery: SegmentFiles.Recovery) {
        self.loop = loop
        self.directory = files.directory
        self.files = files
        self.work = WorkQueue(loop: loop)
        segments = recovery.segments
        durableEnd = LogPosition(offset: recovery.nextOffset, segment: files.activeBase, byte: files.activeSize)
        recoveredTruncatedBytes = recovery.truncatedBytes
    }

    /// Opens (creating, or recovering after a crash) the log in `directory`. Call on the loop.
    /// - Parameters:
    ///   - maxSegmentAge: seconds after which the active segment is closed at the next append (see `retain`).
    ///   - spareSegments: how many trimmed segments are kept to be written over by new ones, which makes each group
    ///     commit's sync cheaper for that much disk (`SegmentFiles`).
    public static func open(directory: String, loop: EventLoop, maxSegmentBytes: Int = 64 << 20, maxSegmentAge: Int? = nil,
                            spareSegments: Int = 0) async throws -> EventLog {
        let files = SegmentFiles(directory: directory, maxSegmentBytes: maxSegmentBytes, maxSegmentAge: maxSegmentAge,
                                 spareLimit: spareSegments)
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
            // Frames and waiter join the batch together: the call may suspend before this closure runs, and
            // another append's flush must not take the frames without the waiter.
            let before = pending.frames.count
            for payload in payloads { LogFrame.append(payload, to: &pending.frames) }
            enqueue(.framed(count: payloads.count, bytes: pending.frames.count - before), continuation)
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
            enqueue(.deferred(encode), continuation)
        }
    }

    private func enqueue(_ entry: Entry, _ continuation: CheckedContinuation<Range<UInt64>, any Error>) {
        pending.entries.append(entry)
        pending.continuations.append(continuation)
        if !isFlushing { flush() }
    }

    /// What a flush's work item did with each entry: its record count, or why it has none.
    private typealias Outcome = Result<Int, any Error>

    private func flush() {
        let batch = pending
        pending = Pending()
        guard !batch.entries.isEmpty else { return }
        // The next batch gathers while this one is written, and is about as large: sized at once, its frames are
        // not copied over and over as they grow.
        pending.frames.reserveCapacity(batch.frames.count)
        pending.entries.reserveCapacity(batch.entries.count)
        pending.continuations.reserveCapacity(batch.entries.count)
        isFlushing = true
        let first = durableEnd.offset
        Task.immediate(executorPreference: loop) { [self, files] in
            let (frames, entries) = (batch.frames, batch.entries)
            let written: (outcomes: [Outcome], write: Result<UInt64?, any Error>)
            do {
                written = try await work.run {
                    var (sealed, outcomes) = Self.frame(entries, framed: frames)
                    guard !sealed.isEmpty else { return (outcomes, .success(nil)) }
                    LogFrame.seal(&sealed, from: first)
                    return (outcomes, Result { try files.append(sealed, firstOffset: first) })
                }
            } catch {
                written = (entries.map { _ in .success(0) }, .failure(error))  // The closure returns its errors.
            }
            let (outcomes, write) = written
            var next = first
            switch write {
            case .success(let started):
                if let started { segments.append(started) }
                var records = 0
                for case .success(let count) in outcomes { records += count }
                if records > 0 {
                    flushes += 1
                    durableEnd = LogPosition(offset: first + UInt64(records), segment: files.activeBase, byte: files.activeSize)
                }
                for (outcome, continuation) in zip(outcomes, batch.continuations) {
                    switch outcome {
                    case .success(let count):
                        continuation.resume(returning: next..<(next + UInt64(count)))
                        next += UInt64(count)
                    case .failure(let error):
                        continuation.resume(throwing: error)
                    }
                }
                if records > 0 { wakeReaders() }
            case .failure(let error):
                // An append whose own records failed keeps its cause; the others lost theirs to the disk.
                for (outcome, continuation) in zip(outcomes, batch.continuations) {
                    if case .failure(let own) = outcome { continuation.resume(throwing: own) } else { continuation.resume(throwing: error) }
                }
            }
            isFlushing = false
            if !pending.entries.isEmpty {
                flush()
            } else {
                let waiters = idleWaiters
                idleWaiters.removeAll()
                for waiter in waiters { waiter.resume() }
            }
        }
    }

    /// The frames of a batch in arrival order, encoding the deferred entries (on the work queue).
    private static func frame(_ entries: [Entry], framed: [UInt8]) -> (frames: [UInt8], outcomes: [Outcome]) {
        var frames: [UInt8] = []
        frames.reserveCapacity(framed.count + entries.count * 1536)
        var outcomes: [Outcome] = []
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

    /// Stops accepting appends, waits for the running flush, and closes the file; waiting readers return.
    public func close() async {
        loop.assertInLoop()
        isClosed = true
        wakeReaders()
        if isFlushing { await withCheckedContinuation { idleWaiters.append($0) } }
        _ = try? await work.run { [files] in files.closeFiles() }
    }
}

public enum EventLogError: Error, CustomStringConvertible {
    case closed

    public var description: String { "the log is closed" }
}
