import Loop
import Templates

/// Replays the lines of one source (a file, or a bulk request's body) into one destination through its normal path:
/// table name template, flattening, schema evolution, bulk writes per table. Events the destination refuses again
/// go to its fallback file (the active one, never the file being read). Loop-bound.
///
/// Memory stays bounded by two chunks of `chunkLines` lines: the next chunk is read and shaped on a background
/// thread while the current one is written, as a COPY from a file streams.
final class Replayer: @unchecked Sendable {
    struct Counts: Sendable, Equatable {
        var replayed = 0
        var skippedMalformed = 0
        var failedAgain = 0
        var linesRead = 0
        var bytesRead: UInt64 = 0
        /// The last line whose events are all stored or in fallback.
        var doneThroughLine = 0
    }

    static let chunkLines = 5_000
    /// Bytes of lines per chunk: with events of a few hundred bytes the line count ends a chunk first, with big
    /// events this does, so memory stays bounded whatever the events' size (their trees take a few times more).
    static let chunkBytes = 1 << 20

    /// Opens the source anew; each pass reads it from the start.
    let open: @Sendable () throws -> LineReader
    let format: ReplayFormat
    let skipMalformed: Bool
    /// Lines up to this number were replayed by an earlier, interrupted replay.
    let resumeAfter: Int
    let shaper: BatchShaper
    let writer: BatchWriter
    /// Called on the loop after each chunk.
    var onProgress: (Counts) -> Void = { _ in }

    init(open: @escaping @Sendable () throws -> LineReader, format: ReplayFormat, skipMalformed: Bool, resumeAfter: Int,
         shaper: BatchShaper, writer: BatchWriter) {
        self.open = open
        self.format = format
        self.skipMalformed = skipMalformed
        self.resumeAfter = resumeAfter
        self.shaper = shaper
        self.writer = writer
    }

    /// Reads every line once and throws `.malformed` for the first one that holds no event, before anything is
    /// written. `onBytes` gets the bytes read so far after each chunk.
    func validate(onBytes: (UInt64) -> Void) async throws(ReplayError) {
        let reader = try await Self.background { [open] in try open() }
        let (format, resumeAfter) = (format, resumeAfter)
        while let bytes = try await Self.background({ () throws -> UInt64? in
            guard let chunk = try reader.next(maxLines: Self.chunkLines, maxBytes: Self.chunkBytes) else { return nil }
            try chunk.bytes.withUnsafeBufferPointer { bytes throws(ReplayError) in
                for (number, range) in chunk.lines where number > resumeAfter {
                    if let malformed = format.check(UnsafeBufferPointer(rebasing: bytes[range])) {
                        throw ReplayError.malformed(line: number, reason: malformed.reason)
                    }
                }
            }
            return reader.bytesRead
        }) {
            onBytes(bytes)
        }
    }

    /// The chunk after `reader`'s position, read, parsed and shaped: what the loop then only has to store.
    private struct Prepared: Sendable {
        var shaped = BatchShaper.Shaped()
        var lines = 0
        var malformed = 0
        var lastLine = 0
        var bytesRead: UInt64 = 0
    }

    func run() async throws(ReplayError) -> Counts {
        let reader = try await Self.background { [open] in try open() }
        var counts = Counts()
        var upcoming = prepare(from: reader)
        while let prepared = try await Self.value(of: upcoming) {
            upcoming = prepare(from: reader)
            counts.linesRead += prepared.lines
            counts.bytesRead = prepared.bytesRead
            counts.skippedMalformed += prepared.malformed
            try await writeFallback(prepared.shaped.failures)
            counts.failedAgain += prepared.shaped.failures.count
            for batch in prepared.shaped.batches {
                let rejected = try await write(batch)
                counts.failedAgain += rejected
                counts.replayed += batch.rows.count - rejected
            }
            counts.doneThroughLine = prepared.lastLine
            onProgress(counts)
        }
        return counts
    }

    private func prepare(from reader: LineReader) -> Task<Prepared?, any Error> {
        let (format, skipMalformed, resumeAfter, shaper) = (format, skipMalformed, resumeAfter, shaper)
        return Task {
            try await BackgroundWork.shared.run { () throws -> Prepared? in
                guard let chunk = try reader.next(maxLines: Self.chunkLines, maxBytes: Self.chunkBytes) else { return nil }
                var prepared = Prepared(lines: chunk.lines.count, lastLine: chunk.lines.last?.number ?? 0, bytesRead: reader.bytesRead)
                for (number, range) in chunk.lines where number > resumeAfter {
                    let outcome: Result<Void, ReplayFormat.Malformed>
                    if shaper.takesEventJSON {
                        // The scan finds the event's bytes, which are flattened as they are parsed: no tree.
                        outcome = chunk.bytes.withUnsafeBufferPointer { format.locate(UnsafeBufferPointer(rebasing: $0[range])) }.flatMap { event in
                            let start = range.lowerBound + event.lowerBound
                            return shaper.add(json: Array(chunk.bytes[start..<(start + event.count)]), to: &prepared.shaped)
                                ? .success(()) : .failure(ReplayFormat.Malformed(reason: "not a JSON object"))
                        }
                    } else {
                        outcome = format.event(in: Array(chunk.bytes[range])).map { shaper.add($0, to: &prepared.shaped) }
                    }
                    switch outcome {
                    case .success:
                        break
                    case .failure(let malformed):
                        // Validated before when skipping is off: a line that turns bad now means the file changed.
                        guard skipMalformed else { throw ReplayError.malformed(line: number, reason: malformed.reason) }
                        prepared.malformed += 1
                    }
                }
                return prepared
            }
        }
    }

    private func write(_ batch: TableBatch) async throws(ReplayError) -> Int {
        do {
            return try await writer.write(batch)
        } catch {
            throw .destination(error.description)
        }
    }

    private func writeFallback(_ lines: [FallbackLine]) async throws(ReplayError) {
        do {
            try await writer.writeFallback(lines)
        } catch {
            throw .destination(error.description)
        }
    }

    private static func value<T: Sendable>(of task: Task<T, any Error>) async throws(ReplayError) -> T {
        do {
            return try await task.value
        } catch {
            throw Self.replayError(error)
        }
    }

    /// Runs blocking reads on a background thread.
    private static func background<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws(ReplayError) -> T {
        do {
            return try await BackgroundWork.shared.run(work)
        } catch {
            throw replayError(error)
        }
    }

    private static func replayError(_ error: any Error) -> ReplayError {
        (error as? ReplayError) ?? .unreadable("\(error)")
    }
}
