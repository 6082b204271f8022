/// A JSON document as Go's `encoding/json` decodes it into `interface{}`: every number is a `float64`, objects are
/// unordered maps, and a repeated key keeps its last value. Events, template results and JavaScript results all use it.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue {
    /// The text when this is a string, otherwise nil.
    public var stringValue: String? {
        if case .string(let text) = self { text } else { nil }
    }
}
