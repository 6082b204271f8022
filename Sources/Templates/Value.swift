/// A value while a template executes, with the dynamic types Go's executor meets when the data is a decoded JSON
/// event: JSON values keep their storage (no copying per evaluation), and Go-only types (int constants, bytes from
/// indexing a string, `time.Time`) get their own cases.
enum Value {
    /// Go's invalid `reflect.Value`: a missing map key or an untyped nil. Prints as `<no value>`.
    case missing
    /// A JSON null: a nil `interface{}` inside a map or slice.
    case null
    case bool(Bool)
    /// Go's `int`: integer constants, `len`, and range indexes.
    case int(Int)
    /// Go's `float64`: every JSON number, and constants written with `.` or an exponent.
    case float(Double)
    /// Go's `uint8`: what `index` returns for a string.
    case byte(UInt8)
    case string(String)
    case array([JSONValue])
    /// A JSON object; `timestamp` replaces the `_timestamp` member with a time when the expression mentions it.
    case object([String: JSONValue], timestamp: GoTime?)
    case time(GoTime)

    init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let value): self = .float(value)
        case .string(let value): self = .string(value)
        case .array(let value): self = .array(value)
        case .object(let value): self = .object(value, timestamp: nil)
        }
    }

    /// Go's type name, as errors and `%!verb(type=value)` show it.
    var typeName: String {
        switch self {
        case .missing, .null: return "<nil>"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float64"
        case .byte: return "uint8"
        case .string: return "string"
        case .array: return "[]interface {}"
        case .object: return "map[string]interface {}"
        case .time: return "time.Time"
        }
    }

    /// Go's `isTrue`: false for zero values, nil and empty strings, slices and maps. Times are structs: always true.
    var isTrue: Bool {
        switch self {
        case .missing, .null: return false
        case .bool(let value): return value
        case .int(let value): return value != 0
        case .float(let value): return value != 0
        case .byte(let value): return value != 0
        case .string(let value): return !value.isEmpty
        case .array(let value): return !value.isEmpty
        case .object(let value, _): return !value.isEmpty
        case .time: return true
        }
    }

    /// The member `key` of an object, or nil when it has none.
    static func member(_ key: String, in fields: [String: JSONValue], timestamp: GoTime?) -> Value? {
        if let timestamp, key == "_timestamp" { return .time(timestamp) }
        return fields[key].map(Value.init)
    }

    /// An object's members in Go's map order (keys sorted bytewise), as `range`, `fmt` and `json` visit them.
    static func sortedMembers(_ fields: [String: JSONValue], timestamp: GoTime?) -> [(key: String, value: Value)] {
        fields.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { key in
            if let timestamp, key == "_timestamp" { return (key, .time(timestamp)) }
            return (key, Value(fields[key]!))
        }
    }
}
