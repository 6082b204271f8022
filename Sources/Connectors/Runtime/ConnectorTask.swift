import Logging
import Loop
import Metrics
import Pipeline
import Templates

/// One connector's task on this node (like a Kafka Connect task over one partition): reads the topics its filter
/// names from this node's topic logs, from the offsets committed for it, buffers the events, and flushes them to the
/// sink when `flushSize` are buffered or `flushInterval` has passed since the first one, whichever is first. Offsets
/// and the flush sequence are committed only after the sink confirmed the write: at-least-once, nothing skipped.
/// A failed flush is retried with backoff (the status shows why) until it succeeds or the task stops; a stopped
/// task drops its buffer, which is re-read from the committed offsets when it starts again. Loop-bound.
final class ConnectorTask: @unchecked Sendable {
    let connector: Connector
    private let node: String
    private let store: TopicStore
    private let offsets: ConnectorOffsets
    private let sink: any ConnectorSink
    private let logger: Logger
    /// Backoff between failed flushes.
    private let pause: Pause
    /// Waiting for records or the flush deadline: appends cut it short, never the backoff.
    private let idle: Pause
    /// The topics the filter names, with the connector's event type.
    let topics: [TopicName]
    private let flushSize: Int
    private let flushInterval: Duration
    /// Next offset to read, per topic whose log exists.
    private var cursors: [TopicName: Cursor] = [:]
    private var buffer: [TopicEvent] = []
    /// Where the next pull starts in `topics`.
    private var firstTopic = 0
    private var firstBufferedAt: ContinuousClock.Instant?
    private var task: Task<Void, Never>?
    private var stopping = false
    private var random = SystemRandomNumberGenerator()
    private(set) var status: TaskStatus
    /// `rivulet_connector_events_total{connector}`: events written to the sink.
    private let written: Counter
    /// `rivulet_connector_flush_failures_total{connector}`: failed attempts, each retried.
    private let failures: Counter

    private struct Cursor {
        var position: LogPosition?
        var next: UInt64
    }

    /// Wakes the task when the router appended records.
    private var appendToken: UInt64?
    /// Set by an append while the task was reading, so it reads again before it sleeps.
    private var appended = false

    /// The longest a task sleeps without an append: a safety net, since appends wake it.
    private static let idleWait = Duration.seconds(1)

    /// - Parameter minute: the unit of `flushInterval`; tests shorten it.
    init(connector: Connector, node: String, store: TopicStore, offsets: ConnectorOffsets, sink: any ConnectorSink, logger: Logger,
         minute: Duration = .seconds(60)) throws {
        self.connector = connector
        self.node = node
        self.store = store
        self.offsets = offsets
        self.sink = sink
        self.logger = logger
        pause = try Pause(loop: store.loop)
        idle = try Pause(loop: store.loop)
        let eventType = connector.config["eventType"] ?? ""
        topics = connector.filter.flatMap { namespace, names in
            names.map { TopicName(eventType: eventType, namespace: namespace, topic: $0) }
        }.sorted()
        flushSize = Int(connector.config["flushSize"] ?? "") ?? 10_000
        flushInterval = minute * (Int(connector.config["flushInterval"] ?? "") ?? 1)
        status = TaskStatus(node: node, state: .running, since: RFC3339.now())
        written = Counter(label: "rivulet_connector_events_total", dimensions: [("connector", connector.connectorName)])
        failures = Counter(label: "rivulet_connector_flush_failures_total", dimensions: [("connector", connector.connectorName)])
    }

    func start() {
        store.loop.assertInLoop()
        appendToken = store.watchAppends { [weak self] in
            self?.appended = true
            self?.idle.wake()
        }
        task = Task(executorPreference: store.loop) { [self] in await run() }
    }

    /// Stops after the write in hand; buffered events not yet written are dropped (their offsets were not committed).
    func stop() async {
        stopping = true
        if let appendToken { store.unwatch(appendToken) }
        pause.wake()
        idle.wake()
        await task?.value
        pause.close()
        idle.close()
        await sink.close()
        status = TaskStatus(node: node, state: .stopped, since: RFC3339.now(), delivered: status.delivered)
    }

    /// The status with the current lag.
    var currentStatus: TaskStatus {
        var current = status
        current.lag = topics.reduce(0) { total, name in
            guard let log = store.log(of: name) else { return total }
            let committed = max(offsets.offset(of: connector.id, in: name) ?? log.startOffset, log.startOffset)
            return total + (log.endOffset - min(committed, log.endOffset))
        }
        return current
    }

    private func run() async {
        while !stopping {
            appended = false
            await pull()
            guard !stopping else { return }
            let dueIn = firstBufferedAt.map { flushInterval - (.now - $0) }
            if buffer.count >= flushSize || dueIn.map({ $0 <= .zero }) == true {
                await flush()
            } else if !appended {
                // Until the flush is due or the router appends something.
                await idle.sleep(min(dueIn ?? Self.idleWait, Self.idleWait))
            }
        }
    }

    /// Reads what the topic logs have past each cursor, until the buffer holds `flushSize` events. Each pull starts
    /// at the next topic, so a topic with a long backlog cannot keep the others out of every flush.
    private func pull() async {
        guard !topics.isEmpty else { return }
        let start = firstTopic
        firstTopic = (firstTopic + 1) % topics.count
        for name in topics[start...] + topics[..<start] where buffer.count < flushSize {
            guard let log = store.log(of: name) else { continue }
            var cursor = cursors[name] ?? Cursor(next: offsets.offset(of: connector.id, in: name) ?? log.startOffset)
            do {
                if cursor.position == nil {
                    let position = try await log.position(of: cursor.next)
                    if position.offset > cursor.next {
                        logger.warning("connector \(connector.connectorName): retention removed \(position.offset - cursor.next) events of \(name) before they were read")
                    }
                    cursor.position = position
                    cursor.next = position.offset
                }
                while buffer.count < flushSize, !stopping {
                    let (entries, next) = try await log.read(from: cursor.position!, limit: flushSize - buffer.count)
                    if entries.isEmpty { break }
                    for entry in entries {
                        guard let record = TopicRecord.decode(entry.payload) else { continue }
                        buffer.append(TopicEvent(topic: name, offset: entry.offset, ingestedAt: record.ingestedAt, json: Array(record.json)))
                    }
                    if firstBufferedAt == nil { firstBufferedAt = .now }
                    cursor.position = next
                    cursor.next = next.offset
                }
            } catch {
                // A segment removed by retention under the reader, most likely: find the offset again next time.
                logger.warning("connector \(connector.connectorName): reading \(name) failed: \(error)")
                cursor.position = nil
            }
            cursors[name] = cursor
        }
    }

    private func flush() async {
        let batch = SinkBatch(connector: connector, node: node, sequence: offsets.sequence(of: connector.id), events: buffer)
        var next: [TopicName: UInt64] = [:]
        for event in buffer { next[event.topic] = event.offset + 1 }
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(60))
        while true {
            do {
                try await sink.write(batch)
                try await offsets.commit(connector.id, offsets: next, nextSequence: batch.sequence + 1)
                break
            } catch {
                guard !stopping else { return }
                failures.increment()
                let reason = (error as? SinkFailure)?.description ?? "committing offsets: \(error)"
                if status.state != .failed || status.error != reason {
                    logger.error("connector \(connector.connectorName): flush of \(buffer.count) events failed, retrying: \(reason)")
                    status = TaskStatus(node: node, state: .failed, error: reason, since: RFC3339.now(), delivered: status.delivered)
                }
                await pause.sleep(backoff.next(using: &random))
                guard !stopping else { return }
            }
        }
        if status.state != .running {
            logger.info("connector \(connector.connectorName): flushing again")
            status = TaskStatus(node: node, state: .running, since: RFC3339.now(), delivered: status.delivered)
        }
        status.delivered += UInt64(buffer.count)
        written.increment(by: buffer.count)
        buffer.removeAll(keepingCapacity: true)
        firstBufferedAt = nil
    }
}
