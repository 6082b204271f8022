/// Table, schema and column names as PostgreSQL sees them.
package enum PostgresIdentifier {
    /// PostgreSQL keeps the first 63 bytes of a longer name (`NAMEDATALEN - 1`) and says so only in a notice.
    static let maxBytes = 63

    /// `name` cut as the server would cut it, at a character boundary, so cached columns match what
    /// information_schema reports.
    static func fitted(_ name: String) -> String {
        guard name.utf8.count > maxBytes else { return name }
        var bytes = 0
        var end = name.startIndex
        for index in name.unicodeScalars.indices {
            let width = name.unicodeScalars[index].utf8.count
            guard bytes + width <= maxBytes else { break }
            bytes += width
            end = name.unicodeScalars.index(after: index)
        }
        return String(name.unicodeScalars[..<end])
    }

    /// `name` as a quoted identifier: any name is safe, and case is kept (`"Events"` stays `Events`).
    package static func quoted(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    /// `"schema"."table"`.
    package static func qualified(_ schema: String, _ table: String) -> String {
        quoted(schema) + "." + quoted(table)
    }
}
