import NodeConfig
import Templates

/// Which topic an event belongs to, read from the fields `topics:` names. Pure.
struct TopicFields: Sendable {
    let eventType: [String]
    let namespace: [String]
    let topic: [String]

    init(_ settings: TopicSettings) {
        eventType = settings.eventTypeField.split(separator: ".").map(String.init)
        namespace = settings.namespaceField.split(separator: ".").map(String.init)
        topic = settings.topicField.split(separator: ".").map(String.init)
    }

    /// The event's topic; nil when it lacks a field, one is not a non-empty string, or its event type is unknown.
    func topic(of event: JSONValue) -> TopicName? {
        guard let type = string(at: eventType, in: event).flatMap({ ConnectorDraft.eventTypes[$0] }),
              let namespace = string(at: namespace, in: event), let topic = string(at: topic, in: event) else { return nil }
        return TopicName(eventType: type, namespace: namespace, topic: topic)
    }

    private func string(at path: [String], in event: JSONValue) -> String? {
        var value = event
        for key in path {
            guard case .object(let object) = value, let next = object[key] else { return nil }
            value = next
        }
        guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= 200 else { return nil }
        return text
    }
}
