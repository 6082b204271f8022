import Templates

/// One line of a fallback file (Jitsu's format): the event a destination refused and why, or a log record that
/// could not be read as an event.
public enum FallbackLine: Sendable, Equatable {
    case event(event: [String: JSONValue], error: String, eventID: String)
    case malformed(raw: String, error: String)

    /// The line's JSON bytes, without the newline.
    public var bytes: [UInt8] {
        switch self {
        case .event(let event, let error, let eventID):
            EventJSON.bytes(["event": .object(event), "error": .string(error), "event_id": .string(eventID)])
        case .malformed(let raw, let error):
            EventJSON.bytes(["malformed_event": .string(raw), "error": .string(error)])
        }
    }
}
