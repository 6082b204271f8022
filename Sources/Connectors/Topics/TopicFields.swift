import Glibc
import NodeConfig
import Pipeline
import Templates

/// Which topic an event belongs to, read from the fields `topics:` names. Pure.
struct TopicFields: Sendable {
    let eventType: [String]
    let namespace: [String]
    let topic: [String]

    /// `"<first key>"` of the event type path, or nil when the key itself needs escapes in JSON.
    private let quotedFirstKey: [UInt8]?

    init(_ settings: TopicSettings) {
        eventType = settings.eventTypeField.split(separator: ".").map(String.init)
        namespace = settings.namespaceField.split(separator: ".").map(String.init)
        topic = settings.topicField.split(separator: ".").map(String.init)
        let plain = eventType.first.map { !$0.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") } } ?? false
        quotedFirstKey = plain ? Array("\"\(eventType[0])\"".utf8) : nil
    }

    /// Whether the event whose JSON text is `json` may name a topic: false when its text cannot hold the event
    /// type field's first key. Without a backslash in the text, a key can only be written as its own bytes in
    /// quotes, so most events (which name no topic) are passed over without being parsed.
    func mayNameTopic(_ json: [UInt8]) -> Bool {
        guard let needle = quotedFirstKey else { return true }
        return json.withUnsafeBytes { text in
            guard let base = text.baseAddress else { return false }
            if memchr(base, Int32(UInt8(ascii: "\\")), text.count) != nil { return true }
            return JSONText.contains(needle, in: text)
        }
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
