import Templates

/// One row as a JSONEachRow line for the table's columns, or the reason it cannot go in: checking kinds here means
/// one bad value costs its row alone, without a failed insert.
enum ClickHouseRowEncoder {
    /// The line and the names it sets, or the rejection text. Nulls are left out (every column but `_timestamp` is
    /// Nullable, and a missing `_timestamp` gets ClickHouse's default, 1970-01-01 00:00:00).
    static func encode(_ row: Row, columns: [String: ClickHouseSchema.Column]) -> Result<(line: [UInt8], names: [String]), RowRejection> {
        var object: [String: JSONValue] = [:]
        for (name, value) in row.columns {
            guard let valueKind = ColumnKind(of: value) else { continue }
            guard let column = columns[name] else {
                return .failure(RowRejection("column \(name) does not exist in ClickHouse"))
            }
            guard let kind = column.kind else {
                object[name] = value
                continue
            }
            guard kind.accepts(valueKind) else {
                return .failure(RowRejection("column \(name) is \(column.type) but the value \(value.jsonText()) is \(valueKind.rawValue)"))
            }
            switch (kind, value) {
            case (.text, .string): object[name] = value
            case (.text, _): object[name] = .string(value.jsonText())
            case (.boolean, .bool(let flag)): object[name] = .number(flag ? 1 : 0)
            case (.timestamp, .string(let text)):
                // DateTime is seconds since 1970 in a UInt32; sending the number avoids the server's time zone.
                guard let seconds = RFC3339.parse(text)?.seconds, (0...Int64(UInt32.max)).contains(seconds) else {
                    return .failure(RowRejection("column \(name) is \(column.type), which cannot hold \(text)"))
                }
                object[name] = .number(Double(seconds))
            default: object[name] = value
            }
        }
        return .success((Array(JSONValue.object(object).jsonText().utf8), Array(object.keys)))
    }
}
