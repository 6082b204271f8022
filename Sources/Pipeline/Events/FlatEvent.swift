import Templates

/// Jitsu's flattening done while parsing an event's JSON text, so no tree of nested objects is built and thrown
/// away for each event (the tree, then `Flattener`, were most of a replay's time). Gives exactly what parsing the
/// tree and `Flattener.flatten` give: where two leaves meet in one name, or a key repeats, it does just that.
struct FlatEvent {
    let row: Row
    /// The top-level `_timestamp` and `api_key`, when strings: the delivery runner's lag and routing read them.
    let timestamp: String?
    let apiKey: String?

    /// Nil when `json` is not a JSON object. `shapes` gives the row its shape.
    init?(_ json: [UInt8], shapes: inout ColumnShapes) {
        guard let flat = try? JSONValue.flattenedObject(parsingBytes: json, naming: Self.name, array: Self.text, capture: Self.captured) else {
            return nil
        }
        self.init(names: flat.names, values: flat.values, objects: flat.objects, captured: flat.captured, json: json[...], shapes: &shapes)
    }

    /// What the object `bytes[range]` holds under its top-level key `member`.
    enum Member {
        case event(FlatEvent)
        /// The member is missing or not an object; the object's other keys.
        case absent(keys: [String])
    }

    /// The event under the top-level key `member` of the JSON object `bytes[range]` (a fallback line's `event`),
    /// flattened in one pass over the object. Throws for invalid JSON and for anything but an object.
    static func member(_ member: String, of bytes: [UInt8], in range: Range<Int>, shapes: inout ColumnShapes) throws(TemplateError) -> Member {
        let flat = try JSONValue.flattenedMember(member, parsingBytes: bytes, in: range, naming: name, array: text, capture: captured)
        guard let event = flat.range,
              let flatEvent = FlatEvent(names: flat.names, values: flat.values, objects: flat.objects, captured: flat.captured,
                                        json: bytes[event], shapes: &shapes) else { return .absent(keys: flat.keys) }
        return .event(flatEvent)
    }

    /// The event of the leaves parsed from `json`, its object's text.
    private init?(names: [String], values: [JSONValue], objects: [String], captured: [JSONValue?], json: ArraySlice<UInt8>, shapes: inout ColumnShapes) {
        let eventID = captured[0]?.stringValue ?? ""
        if let shape = shapes.shape(of: names), Self.distinct(objects, from: shape) {
            row = Row(eventID: eventID, eventJSON: json, columns: Columns(shape: shape, values: values))
        } else {
            guard case .object(let event)? = try? JSONValue(parsingBytes: Array(json)) else { return nil }
            row = Row(eventID: eventID, event: event, columns: Flattener.flatten(event, shapes: &shapes))
        }
        timestamp = captured[1]?.stringValue
        apiKey = captured[2]?.stringValue
    }

    /// Whether no nested object's name repeats or is a leaf's: otherwise a key was repeated or renamed onto an
    /// object, which only the tree settles.
    private static func distinct(_ objects: [String], from shape: ColumnShape) -> Bool {
        for (index, object) in objects.enumerated() where shape.positions[object] != nil || objects[..<index].contains(object) {
            return false
        }
        return true
    }

    private static let captured = ["eventn_ctx_event_id", "_timestamp", "api_key"]

    private static func name(_ prefix: String, _ key: String) -> String {
        prefix.isEmpty ? Flattener.columnName(key) : prefix + "_" + Flattener.columnName(key)
    }

    private static func text(_ array: JSONValue) -> JSONValue {
        .string(EventJSON.text(array))
    }
}
