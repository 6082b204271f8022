import Templates

/// Jitsu's flattening done while parsing an event's JSON text, so no tree of nested objects is built and thrown
/// away for each event (the tree, then `Flattener`, were most of a replay's time). Gives exactly what parsing the
/// tree and `Flattener.flatten` give: where two leaves meet in one name, or a key repeats, it does just that.
enum FlatEvent {
    /// The row of the event object in `json`, or nil when `json` is not a JSON object.
    static func row(_ json: [UInt8]) -> Row? {
        guard let flat = try? JSONValue.flattenedObject(parsingBytes: json, naming: name, array: text, capture: eventIDKey) else { return nil }
        let eventID = flat.captured?.stringValue ?? ""
        guard flat.collided else { return Row(eventID: eventID, eventJSON: json, columns: flat.columns) }
        guard case .object(let event)? = try? JSONValue(parsingBytes: json) else { return nil }
        return Row(eventID: eventID, event: event, columns: Flattener.flatten(event))
    }

    static let eventIDKey = "eventn_ctx_event_id"

    private static func name(_ prefix: String, _ key: String) -> String {
        prefix.isEmpty ? Flattener.columnName(key) : prefix + "_" + Flattener.columnName(key)
    }

    private static func text(_ array: JSONValue) -> JSONValue {
        .string(EventJSON.text(array))
    }
}
