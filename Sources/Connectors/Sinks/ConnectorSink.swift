import Pipeline

/// One event read from a topic log, as a connector task hands it to its sink.
public struct TopicEvent: Sendable, Equatable {
    public let topic: TopicName
    /// Its offset in this node's log of the topic.
    public let offset: UInt64
    /// When the node ingested it, in milliseconds since 1970 (the event's `_timestamp`): S3 time partitions use it.
    public let ingestedAt: Int64
    /// The event's JSON object, as ingested (enriched), one line.
    public let json: [UInt8]

    public init(topic: TopicName, offset: UInt64, ingestedAt: Int64, json: [UInt8]) {
        self.topic = topic
        self.offset = offset
        self.ingestedAt = ingestedAt
        self.json = json
    }
}

/// One flush of a connector task.
public struct SinkBatch: Sendable {
    public let connector: Connector
    /// The node whose task flushes: object keys carry it, so two nodes' partitions never collide.
    public let node: String
    /// The task's flush counter, committed with its offsets: a batch re-read after a crash gets the sequence it had,
    /// so it overwrites the objects its first attempt may have written instead of adding copies.
    public let sequence: UInt64
    /// In log order per topic.
    public let events: [TopicEvent]

    public init(connector: Connector, node: String, sequence: UInt64, events: [TopicEvent]) {
        self.connector = connector
        self.node = node
        self.sequence = sequence
        self.events = events
    }
}

/// Where a connector writes. A `write` stores every event of the batch or throws; the task commits its offsets
/// only after a write returns, and retries a failed one with backoff (at-least-once: nothing is skipped).
/// Loop-bound, like the destinations it is built on.
public protocol ConnectorSink: AnyObject, Sendable {
    func write(_ batch: SinkBatch) async throws(SinkFailure)
    /// Releases connections; the task calls it once, after its last write.
    func close() async
}

/// Why a sink write failed, in words the connector's status shows.
public struct SinkFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
