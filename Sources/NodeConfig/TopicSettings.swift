/// The `topics:` section: which ingested events go to the connectors' topic logs, and how long the logs keep them.
public struct TopicSettings: Sendable, Equatable {
    /// `topics.enabled`, default true: route events to topic logs (false: connectors have nothing to read).
    public var enabled = true
    /// `topics.event_type_field`, default `_event_type`: where an event says its type (`justice_event` or
    /// `game_telemetry`, dashes accepted). The telemetry routes write it, so their events need not carry it; a top-level name.
    public var eventTypeField = "_event_type"
    /// `topics.namespace_field`, default `EventNamespace` (AccelByte's telemetry body). Dots separate nested keys.
    public var namespaceField = "EventNamespace"
    /// `topics.topic_field`, default `EventName`.
    public var topicField = "EventName"
    /// `topics.retention_hours`, default 168 (7 days): older records are removed, read or not.
    public var retentionHours = 168
    /// `topics.retention_bytes`, default 1 GiB: the most one topic's log keeps on this node.
    public var retentionBytes = 1 << 30

    public init() {}
}
