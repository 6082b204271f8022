/// ClickHouse's SQL spelling for what rivulet needs: quoted names, string literals, and the column types of each
/// `ColumnKind` and back.
enum ClickHouseSQL {
    /// `` `name` `` with backquotes and backslashes escaped, so any table or column name is safe.
    static func quote(_ name: String) -> String {
        "`" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "`", with: "\\`") + "`"
    }

    /// `'text'` with quotes and backslashes escaped.
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// The column type for a kind. ClickHouse 18.16 has no DateTime64 nor Bool, so timestamps are DateTime (whole
    /// seconds, the fraction is dropped) and booleans UInt8 (1 or 0). Every column is Nullable except `_timestamp`,
    /// the ordering key.
    static func typeName(for kind: ColumnKind) -> String {
        switch kind {
        case .text: "String"
        case .integer: "Int64"
        case .float: "Float64"
        case .boolean: "UInt8"
        case .timestamp: "DateTime"
        }
    }

    /// The kind whose values a column of type `name` takes, or nil for types rivulet does not check (Enum, Date,
    /// Array, ...), whose values are sent as they are for ClickHouse to judge.
    static func kind(ofType name: String) -> ColumnKind? {
        var type = Substring(name)
        for wrapper in ["LowCardinality(", "Nullable("] where type.hasPrefix(wrapper) && type.hasSuffix(")") {
            type = type.dropFirst(wrapper.count).dropLast()
        }
        switch type {
        case "String": return .text
        case _ where type.hasPrefix("FixedString("): return .text
        case "UInt8": return .boolean
        case "Int8", "Int16", "Int32", "Int64", "UInt16", "UInt32", "UInt64": return .integer
        case "Float32", "Float64": return .float
        case _ where type.hasPrefix("Decimal"): return .float
        case "DateTime": return .timestamp
        default: return nil
        }
    }
}
