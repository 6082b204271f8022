import Templates

/// A column of an existing table, as `information_schema.columns.data_type` names its type, and the values it takes.
struct PostgresColumn: Sendable, Equatable {
    /// `bigint`, `text`, `timestamp with time zone`, ...
    let type: String
    /// The kind of value the type holds, or nil for types rivulet never creates (`jsonb`, `uuid`, arrays), whose
    /// values only the server can judge.
    let kind: ColumnKind?

    init(type: String) {
        self.type = type
        kind = switch type {
        case "text", "character varying", "character": .text
        case "bigint", "integer", "smallint": .integer
        case "double precision", "real", "numeric": .float
        case "boolean": .boolean
        case "timestamp with time zone", "timestamp without time zone", "date": .timestamp
        default: nil
        }
    }

    /// The type a new column gets from the kind of its first value.
    static func type(for kind: ColumnKind) -> String {
        switch kind {
        case .text: "text"
        case .integer: "bigint"
        case .float: "double precision"
        case .boolean: "boolean"
        case .timestamp: "timestamp with time zone"
        }
    }

    /// Why `value` (not null) cannot go into this column, named `name`, or nil when it can or only the server
    /// knows. Any value fits a text column, as its text.
    func refusal(of value: JSONValue, in name: String) -> String? {
        guard let kind, kind != .text, let valueKind = ColumnKind(of: value), !kind.accepts(valueKind) else { return nil }
        var shown = value.jsonText()
        if shown.count > 100 { shown = shown.prefix(100) + "..." }
        return "value \(shown) does not fit column \(name) of type \(type)"
    }
}
