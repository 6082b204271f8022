import Loop
import Templates

/// Replays the lines of one source (a file, or a bulk request's body) into one destination through its normal path:
/// table name template, flattening, schema evolution, bulk writes per table. Events the destination refuses again
/// go to its fallback file (the active one, never the file being read). Loop-bound.
///
/// Memory stays bounded by two chunks of `chunkLines` lines: the next chunk is read, then shaped and encoded for
/// the destination (`Destination.encoder`) in two halves on two background threads, while the current one is
/// written, as a COPY from a file streams.
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
        let format = format
        // The next chunk is read while this one is checked.
        var upcoming = Task { try await read(reader) }
        while let (chunk, lines, bytesRead) = try await Self.value(of: upcoming) {
            upcoming = Task { try await read(reader) }
            let halves = try await Self.halves(of: lines) { lines in
                chunk.bytes.withUnsafeBufferPointer { bytes in
                    lines.lazy.compactMap { line in format.check(UnsafeBufferPointer(rebasing: bytes[line.range])).map { (line.number, $0) } }.first
                }
            }
            if let (number, malformed) = halves.0 ?? halves.1 { throw .malformed(line: number, reason: malformed.reason) }
            onBytes(bytesRead)
        }
    }

    /// A chunk, its lines not replayed before, and the bytes of the source read so far.
    private typealias Read = (chunk: LineReader.Chunk, lines: ArraySlice<LineReader.Line>, bytesRead: UInt64)

    /// The next chunk; nil at the end.
    private func read(_ reader: LineReader) async throws(ReplayError) -> Read? {
        let resumeAfter = resumeAfter
        return try await Self.background {
            guard let chunk = try reader.next(maxLines: Self.chunkLines, maxBytes: Self.chunkBytes) else { return nil }
            return (chunk, chunk.lines.drop { $0.number <= resumeAfter }, reader.bytesRead)
        }
    }

    /// `work` on each half of `lines` at once, one background thread each: parsing is most of a replay's CPU and
    /// the lines of a chunk do not depend on each other.
    private static func halves<T: Sendable>(of lines: ArraySlice<LineReader.Line>,
                                           _ work: @escaping @Sendable (ArraySlice<LineReader.Line>) throws -> T) async throws(ReplayError) -> (T, T) {
        let middle = lines.startIndex + lines.count / 2
        let (first, second) = (lines[..<middle], lines[middle...])
        async let early = BackgroundWork.shared.run { try work(first) }
        do {
            let late = try await BackgroundWork.shared.run { try work(second) }
            return (try await early, late)
        } catch {
            throw replayError(error)
        }
    }

    /// The chunk after `reader`'s position, read, parsed and shaped: what the loop then only has to store.
    private struct Prepared: Sendable {
        var shaped = BatchShaper.Shaped()
        var lines = 0
        var malformed = 0
        var lastLine = 0
        var bytesRead: UInt64 = 0

        /// This chunk's part followed by `later`'s.
        mutating func append(_ later: Prepared) {
            shaped.append(later.shaped)
            malformed += later.malformed
        }
    }

    /// Writes every chunk, making them durable every `DeliveryRunner.chunksPerDurablePoint` chunks and at the end
    /// (`TableBatch.defersDurability`): a commit waiting for the disk once per chunk was a third of a replay's time.
    /// `Counts.doneThroughLine` moves at those points only, so a replay resumed after a failure repeats what may
    /// have been lost.
    func run() async throws(ReplayError) -> Counts {
        let reader = try await Self.background { [open] in try open() }
        var counts = Counts()
        var upcoming = prepare(from: reader)
        var written = (chunks: 0, throughLine: 0)
        while let prepared = try await Self.value(of: upcoming) {
            upcoming = prepare(from: reader)
            counts.linesRead += prepared.lines
            counts.bytesRead = prepared.bytesRead
            counts.skippedMalformed += prepared.malformed
            try await writeFallback(prepared.shaped.failures)
            counts.failedAgain += prepared.shaped.failures.count
            for var batch in prepared.shaped.batches {
                batch.defersDurability = true
                let rejected = try await write(batch)
                counts.failedAgain += rejected
                counts.replayed += batch.rows.count - rejected
            }
            written = (written.chunks + 1, prepared.lastLine)
            if written.chunks == DeliveryRunner.chunksPerDurablePoint {
                try await makeDurable()
                (counts.doneThroughLine, written.chunks) = (written.throughLine, 0)
            }
            onProgress(counts)
        }
        if written.chunks > 0 {
            try await makeDurable()
            counts.doneThroughLine = written.throughLine
        }
        return counts
    }

    private func makeDurable() async throws(ReplayError) {
        do {
            try await writer.makeDurable()
        } catch {
            throw .destination(error.description)
        }
    }

    private func prepare(from reader: LineReader) -> Task<Prepared?, any Error> {
        let (format, skipMalformed, shaper) = (format, skipMalformed, shaper)
        return Task { () async throws(ReplayError) -> Prepared? in
            guard let (chunk, lines, bytesRead) = try await read(reader) else { return nil }
            var (prepared, later) = try await Self.halves(of: lines) { lines throws(ReplayError) in
                var prepared = Prepared()
                for (number, range) in lines {
                    // The row keeps the event's text, which the destination's encoder reads: nothing is parsed.
                    if shaper.takesEventText, let event = format.scannedEvent(in: chunk.bytes, line: range) {
                        shaper.addText(chunk.bytes[event], to: &prepared.shaped)
                        continue
                    }
                    let outcome: Result<Void, ReplayFormat.Malformed>
                    if shaper.takesEventJSON {
                        // The event is flattened as the line is parsed: no tree.
                        outcome = format.flatEvent(in: chunk.bytes, line: range, shapes: &prepared.shaped.shapes).map { shaper.add($0, to: &prepared.shaped) }
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
                shaper.encode(&prepared.shaped)
                return prepared
            }
            prepared.append(later)
            (prepared.lines, prepared.lastLine, prepared.bytesRead) = (chunk.lines.count, chunk.lines.last?.number ?? 0, bytesRead)
            return prepared
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
