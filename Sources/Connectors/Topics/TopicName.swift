/// One topic of the cluster: an event type (`justice_event` or `game_telemetry`), a namespace and a topic name.
/// Each node keeps its own log of it (one partition of the topic).
public struct TopicName: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let eventType: String
    public let namespace: String
    public let topic: String

    public init(eventType: String, namespace: String, topic: String) {
        self.eventType = eventType
        self.namespace = namespace
        self.topic = topic
    }

    public static func < (lhs: TopicName, rhs: TopicName) -> Bool {
        (lhs.eventType, lhs.namespace, lhs.topic) < (rhs.eventType, rhs.namespace, rhs.topic)
    }

    public var description: String { "\(eventType)/\(namespace)/\(topic)" }
}
