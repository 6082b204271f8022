import Templates

/// The type a column gets from the first non-null value seen in it; each SQL destination maps a kind to its own
/// type name (`bigint`, `Int64`). Strings in RFC 3339 form, like `_timestamp`, are timestamps.
public enum ColumnKind: String, Sendable, Equatable, CaseIterable {
    case text
    case integer
    case float
    case boolean
    case timestamp

    /// The kind of `value`, or nil for null (a column is created only once a value gives it a type).
    public init?(of value: JSONValue) {
        switch value {
        case .null: return nil
        case .bool: self = .boolean
        case .number(let number):
            // Integers beyond 2^53 lost precision already when parsed, so they stay floats.
            self = number.rounded() == number && abs(number) < 9_007_199_254_740_992 ? .integer : .float
        case .string(let text): self = RFC3339.isTimestamp(text) ? .timestamp : .text
        case .array, .object: self = .text
        }
    }

    /// Whether a value of kind `other` can be stored in a column of this kind without loss.
    public func accepts(_ other: ColumnKind) -> Bool {
        switch (self, other) {
        case (.text, _): true
        case (.float, .integer): true
        default: self == other
        }
    }
}
