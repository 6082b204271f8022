import Logging
import Loop
import Metrics
import Pipeline
import Templates

/// Copies each event that names a topic from the incoming log into that topic's log, reading the incoming log
/// like a destination does: from its own committed offset (`@topics` in `incoming/offsets.json`), committed only
/// after the topic logs have synced what it copied. The incoming log keeps its segments until then, so a crash
/// between ingestion and topic append loses nothing; it copies again at worst (duplicates, never gaps).
/// Loop-bound.
public final class TopicRouter: @unchecked Sendable {
    static let readerID = "@topics"

    private let pipeline: EventPipeline
    private let store: TopicStore
    private let fields: TopicFields
    private let logger: Logger
    private let pause: Pause
    private var task: Task<Void, Never>?
    private var stopping = false
    private let routed = Counter(label: "rivulet_topic_events_total")
    /// The offset of the incoming log below which every event is in its topic log.
    private var committedOffset: UInt64 = 0

    public init(pipeline: EventPipeline, store: TopicStore, logger: Logger) throws {
        self.pipeline = pipeline
        self.store = store
        fields = TopicFields(store.settings)
        self.logger = logger
        pause = try Pause(loop: store.loop)
    }

    public func start() {
        store.loop.assertInLoop()
        pipeline.addReader(Self.readerID)
        task = Task(executorPreference: store.loop) { [self] in await run() }
    }

    public func stop() async {
        stopping = true
        pause.wake()
        pipeline.log.interruptWaits()
        await task?.value
        pause.close()
    }

    private func run() async {
        let log = pipeline.log
        // From the log's end when new: topics start with the events ingested once they are enabled.
        committedOffset = pipeline.offsets.offset(of: Self.readerID) ?? log.endOffset
        pipeline.offsets.commit(committedOffset, for: Self.readerID)
        var position: LogPosition?
        while !stopping {
            do {
                if position == nil { position = try await log.position(of: committedOffset) }
                await log.waitForRecords(after: position!.offset, enough: 2_000, linger: .milliseconds(50), pause: pause)
                guard !stopping else { return }
                let (entries, next) = try await log.read(from: position!, limit: 5_000)
                guard !entries.isEmpty else { continue }
                let fields = fields
                let topics = try await BackgroundWork.shared.run { Self.classify(entries, fields) }
                try await append(topics)
                position = next
                committedOffset = next.offset
                pipeline.offsets.commit(next.offset, for: Self.readerID)
            } catch {
                guard !stopping else { return }
                logger.error("topics: copying from the incoming log failed, retrying: \(error)")
                position = nil
                await pause.sleep(.seconds(1))
            }
        }
    }

    /// The records of each topic, in log order; events without a complete topic are left out.
    static func classify(_ entries: [LogEntry], _ fields: TopicFields) -> [(TopicName, [[UInt8]])] {
        var byTopic: [TopicName: [[UInt8]]] = [:]
        for entry in entries {
            guard fields.mayNameTopic(entry.payload), let event = try? JSONValue(parsingBytes: entry.payload),
                  let name = fields.topic(of: event) else { continue }
            var ingestedAt: Int64 = 0
            if case .object(let object) = event, case .string(let stamp)? = object["_timestamp"], let time = RFC3339.parse(stamp) {
                ingestedAt = time.seconds * 1000 + Int64(time.nanoseconds / 1_000_000)
            }
            byTopic[name, default: []].append(TopicRecord.encode(ingestedAt: ingestedAt, json: entry.payload))
        }
        return byTopic.sorted { $0.key < $1.key }
    }

    /// Appends to every topic's log at once (each syncs on its own), returning when all are durable.
    private func append(_ topics: [(TopicName, [[UInt8]])]) async throws {
        let appends = topics.map { name, records in
            Task(executorPreference: store.loop) { [store] in
                _ = try await store.logForAppending(name).append(records)
            }
        }
        var failure: (any Error)?
        for append in appends {
            do { try await append.value } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
        routed.increment(by: topics.reduce(0) { $0 + $1.1.count })
        store.didAppend()
    }
}
