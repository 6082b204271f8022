import Foundation
import Logging
import Loop
import Templates

/// Moves one destination along the incoming log: reads records past its committed offset, routes and shapes them
/// into per-table batches, stores them, writes what the destination refused to the fallback file, and commits the
/// offset once every event of the chunk is stored (durably: see `chunksPerDurablePoint`) or in fallback. Loop-bound.
///
/// `stream` mode delivers as soon as records are durable, in chunks of whatever arrived (micro-batches under load);
/// `batch` mode wakes every `batch_period_sec` and delivers everything new in bulk. An unreachable destination is
/// retried with backoff for as long as it takes; the offset does not move, so the events wait in the log.
public final class DeliveryRunner: @unchecked Sendable {
    public let config: DestinationConfig
    public let destination: any Destination
    private let log: EventLog
    private let offsets: OffsetStore
    let fallback: FallbackWriter
    let shaper: BatchShaper
    private let logger: Logger
    private let pause: Pause
    private let metrics: DeliveryMetrics
    private var task: Task<Void, Never>?
    /// The chunk after the one being stored, read and shaped meanwhile (while more records wait).
    private var upcoming: Task<Prepared?, any Error>?
    private var stopping = false
    private var random = SystemRandomNumberGenerator()
    /// The offset every event below has been stored or sent to fallback.
    public private(set) var committedOffset: UInt64 = 0

    /// Records per read: small in stream mode to keep latency low, large in batch mode for bulk writes.
    private var chunkSize: Int { config.mode == .stream ? 2_000 : 5_000 }
    /// Chunks stored without waiting for durability (`TableBatch.defersDurability`) before a durable point, here
    /// while more records wait, and in replays: one commit waiting for the disk per chunk held back bulk writes.
    public static let chunksPerDurablePoint = 16

    /// - Parameter accepts: whether an event sent with the API key of this id (nil: no key) goes to this destination;
    ///   nil: every event does.
    public init(config: DestinationConfig, destination: any Destination, log: EventLog, offsets: OffsetStore,
                fallback: FallbackWriter, templates: TemplateEvaluator, logger: Logger,
                accepts: (@Sendable (String?) -> Bool)?) throws {
        self.config = config
        self.destination = destination
        self.log = log
        self.offsets = offsets
        self.fallback = fallback
        var shaper = BatchShaper(tableNameTemplate: config.tableNameTemplate, templates: templates, accepts: accepts,
                                 flattens: destination.storesColumns, readsEvent: destination.readsEvent)
        if destination.encodesEventText {
            // Encoding from the events' text costs less than flattening them, so the batch goes out encoded whole.
            shaper.encoder = destination.encoder
            shaper.encodesEventText = true
        }
        self.shaper = shaper
        self.logger = logger
        pause = try Pause(loop: log.loop)
        metrics = DeliveryMetrics(destination: config.id)
    }

    public func start() {
        log.loop.assertInLoop()
        task = Task(executorPreference: log.loop) { [self] in await run() }
    }

    /// Stops after the batch in hand (an unreachable destination stops at once: its events stay in the log).
    public func stop() async {
        log.loop.assertInLoop()
        stopping = true
        pause.wake()
        log.interruptWaits()
        await task?.value
        _ = try? await upcoming?.value
        pause.close()
        await destination.close()
        fallback.close()
    }

    private func run() async {
        // A new destination starts at the log's end: it receives events accepted from now on.
        let start = offsets.offset(of: config.id) ?? log.endOffset
        committedOffset = start
        offsets.commit(start, for: config.id)
        var position: LogPosition?
        // Chunks stored since the last durable point; the offset is committed at durable points only.
        var unflushed = 0
        while !stopping {
            do {
                if position == nil { position = try await log.position(of: start) }
                switch config.mode {
                case .stream: await log.waitForRecords(after: position!.offset, enough: 2_000, linger: .milliseconds(50), pause: pause)
                case .batch: await pause.sleep(config.batchPeriod)
                }
                let batchStarted = log.loop.now
                var rest: UInt64 = 0
                repeat {
                    if rest > 0 { await pause.sleep(.milliseconds(rest)) }
                    guard !stopping else { return }
                    let chunkStarted = log.loop.now
                    let prepared: Prepared?
                    if let taken = upcoming {
                        upcoming = nil
                        prepared = try await taken.value
                    } else {
                        prepared = try await prepare(from: position!)
                    }
                    guard let chunk = prepared else { break }
                    let deferring = destination.canDeferDurability && chunk.next.offset < log.endOffset
                    if deferring { upcoming = Task(executorPreference: log.loop) { try await self.prepare(from: chunk.next) } }
                    guard await deliver(chunk.shaped, defersDurability: deferring) else { return }
                    if config.mode == .batch {
                        rest = Self.rest(chunkStarted: chunkStarted, batchStarted: batchStarted, now: log.loop.now, period: config.batchPeriod)
                    }
                    position = chunk.next
                    if deferring { unflushed += 1 }
                    guard !deferring || unflushed == Self.chunksPerDurablePoint else { continue }
                    if unflushed > 0 {
                        unflushed = 0
                        guard await madeDurable() else {
                            // What went through a broken connection may be lost: deliver it again.
                            _ = try? await upcoming?.value
                            upcoming = nil
                            position = try await log.position(of: committedOffset)
                            continue
                        }
                    }
                    committedOffset = chunk.next.offset
                    offsets.commit(chunk.next.offset, for: config.id)
                    metrics.lagEvents.record(Int(log.endOffset - chunk.next.offset))
                } while config.mode == .batch
                if position!.offset == log.endOffset { metrics.lagSeconds.record(0) }
            } catch {
                logger.error("destination \(config.id): reading the incoming log failed: \(error)")
                await pause.sleep(.seconds(1))
            }
        }
    }

    /// Milliseconds a batch rests after a chunk (loop times in ms): a batch yields to ingestion, resting as long as
    /// each chunk took through the first half of its period instead of taking the node's cores in one burst, which
    /// made the requests answered meanwhile wait several times longer. A batch still going after that runs unpaced,
    /// so a node behind on delivery never falls further behind for pacing (nor does a chunk slowed by retries).
    static func rest(chunkStarted: UInt64, batchStarted: UInt64, now: UInt64, period: Duration) -> UInt64 {
        let half = period.milliseconds / 2
        let elapsed = now - batchStarted
        return elapsed < half ? min(now - chunkStarted, half - elapsed) : 0
    }

    /// Whether the chunks stored since the last durable point are durable; false, logged, when that cannot be
    /// confirmed.
    private func madeDurable() async -> Bool {
        guard case .unreachable(let reason) = await destination.makeDurable() else { return true }
        logger.warning("destination \(config.id): stored events may be lost, delivering them again: \(reason)")
        return false
    }

    /// A chunk of the log read and shaped, and the position after it.
    private struct Prepared: Sendable {
        let shaped: BatchShaper.Shaped
        let next: LogPosition
    }

    /// The chunk at `position`, shaped on a background thread; nil when the log holds nothing there yet.
    private func prepare(from position: LogPosition) async throws -> Prepared? {
        let (entries, next) = try await log.read(from: position, limit: chunkSize)
        if entries.isEmpty { return nil }
        let shaper = shaper
        return Prepared(shaped: try await BackgroundWork.shared.run { shaper.shape(entries) }, next: next)
    }

    /// Delivers one shaped chunk; returns false when stopping interrupted it before everything was stored.
    private func deliver(_ shaped: BatchShaper.Shaped, defersDurability: Bool) async -> Bool {
        if let oldest = shaped.oldestTimestamp {
            metrics.lagSeconds.record(max(0, Date().timeIntervalSince1970 - Double(oldest)))
        }
        metrics.skipped.increment(by: shaped.skipped)
        guard await writeFallback(shaped.failures) else { return false }
        for var batch in shaped.batches {
            batch.defersDurability = defersDurability
            guard await store(batch) else { return false }
        }
        return true
    }

    /// Stores one table's batch, retrying while the destination is unreachable.
    private func store(_ batch: TableBatch) async -> Bool {
        var backoff = Backoff()
        while true {
            switch await destination.store(batch) {
            case .stored(let rejected):
                metrics.retryBacklog.record(0)
                let lines = rejected.keys.sorted().map { index in
                    FallbackLine.event(event: batch.rows[index].event, error: rejected[index]!, eventID: batch.rows[index].eventID)
                }
                guard await writeFallback(lines) else { return false }
                metrics.delivered.increment(by: batch.rows.count - rejected.count)
                return true
            case .unreachable(let reason):
                guard !stopping else { return false }
                if backoff.attempt == 0 {
                    logger.warning("destination \(config.id) unreachable, retrying: \(reason)")
                }
                metrics.retryBacklog.record(batch.rows.count)
                await pause.sleep(backoff.next(using: &random))
                guard !stopping else { return false }
            }
        }
    }

    /// Writes fallback lines, retrying while the disk refuses; false when stopping first.
    private func writeFallback(_ lines: [FallbackLine]) async -> Bool {
        guard !lines.isEmpty else { return true }
        var backoff = Backoff()
        while true {
            do {
                try await fallback.write(lines)
                metrics.failed.increment(by: lines.count)
                return true
            } catch {
                logger.error("destination \(config.id): writing the fallback file failed: \(error)")
                guard !stopping else { return false }
                await pause.sleep(backoff.next(using: &random))
            }
        }
    }
}
