import CLibPQ
import Templates

/// The rows of a PostgreSQL result as the input of a `COPY ... FROM STDIN` (text format, as `PostgresCopyPlan`
/// writes it), with the result's column names and type OIDs. A PostgreSQL destination loads them without looking
/// at a value (`PostgresDestination.store(_:table:upsertKey:)`); any other destination reads them as JSON objects
/// (`objects()`). A synced table crosses the node once as bytes rather than as a tree per row.
public struct CopyRows: Sendable, Equatable {
    /// Column names, in the order of each line's values.
    public let columns: [String]
    /// Column type OIDs (`pg_type.oid`), in the same order.
    public let types: [UInt32]
    /// One line per row: values separated by tabs, `\N` for NULL, backslash, tab, newline and carriage return
    /// escaped.
    public private(set) var text: [UInt8] = []
    /// The byte offset just past each line of `text`.
    private var lineEnds: [Int] = []

    public var count: Int { lineEnds.count }

    public init(columns: [String], types: [UInt32]) {
        precondition(columns.count == types.count, "\(columns.count) columns with \(types.count) types")
        self.columns = columns
        self.types = types
    }

    /// The rows of `result` (a `PGresult` with tuples), each value written as the server printed it.
    init(_ result: OpaquePointer) {
        let fields = 0..<PQnfields(result)
        self.init(columns: fields.map { String(cString: PQfname(result, $0)) }, types: fields.map { UInt32(PQftype(result, $0)) })
        let rows = PQntuples(result)
        lineEnds.reserveCapacity(Int(rows))
        for row in 0..<rows {
            for field in fields {
                if field > 0 { text.append(UInt8(ascii: "\t")) }
                if PQgetisnull(result, row, field) == 1 {
                    text.append(UInt8(ascii: "\\"))
                    text.append(UInt8(ascii: "N"))
                } else {
                    let length = Int(PQgetlength(result, row, field))
                    PQgetvalue(result, row, field).withMemoryRebound(to: UInt8.self, capacity: length) {
                        CopyText.appendEscaped(UnsafeBufferPointer(start: $0, count: length), to: &text)
                    }
                }
            }
            text.append(UInt8(ascii: "\n"))
            lineEnds.append(text.count)
        }
    }

    /// Rows `lines`, as rows of their own.
    public subscript(lines: Range<Int>) -> CopyRows {
        var slice = CopyRows(columns: columns, types: types)
        guard !lines.isEmpty else { return slice }
        let base = lines.lowerBound == 0 ? 0 : lineEnds[lines.lowerBound - 1]
        slice.text = Array(text[base..<lineEnds[lines.upperBound - 1]])
        slice.lineEnds = lineEnds[lines].map { $0 - base }
        return slice
    }

    /// Adds the rows of `other`, which has the same columns.
    public mutating func append(_ other: CopyRows) {
        precondition(other.columns == columns && other.types == types, "rows of another shape")
        let base = text.count
        text += other.text
        lineEnds += other.lineEnds.map { $0 + base }
    }

    /// How many rows from the first have text within `bytes`: at least one, when there is one.
    public func rows(within bytes: Int) -> Int {
        // The first line ending past `bytes`.
        var (low, high) = (0, lineEnds.count)
        while low < high {
            let middle = (low + high) / 2
            if lineEnds[middle] <= bytes { low = middle + 1 } else { high = middle }
        }
        return max(low, min(1, count))
    }

    /// Value `column` of row `line` as the server printed it; nil for NULL.
    public func value(_ column: Int, ofLine line: Int) -> String? {
        var found: String?
        forEachValue(ofLine: line) { index, value in
            guard index == column else { return index < column }
            found = value
            return false
        }
        return found
    }

    /// Each row as a JSON object keyed by column name, typed as `value(_:type:)` says.
    public func objects() -> [[String: JSONValue]] {
        lineEnds.indices.map { line in
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(columns.count)
            forEachValue(ofLine: line) { index, value in
                object[columns[index]] = Self.value(value, type: types[index])
                return true
            }
            return object
        }
    }

    /// The kind each column's values have as JSON (`objects()`), which a column made for them takes; nil for
    /// json and jsonb, whose objects are flattened into columns of their own.
    public var kinds: [ColumnKind?] {
        types.map { type in
            switch type {
            case 20, 21, 23, 26: .integer
            case 700, 701, 1700: .float
            case 16: .boolean
            case 114, 3802: nil
            default: .text
            }
        }
    }

    /// A value from PostgreSQL's text output as JSON, by its type's OID (`pg_type.dat`): integers, floats and
    /// numerics are numbers (a bigint above 2^53 loses precision, as in any JSON reader), booleans booleans, json
    /// and jsonb their JSON; NaN and infinities, which JSON cannot hold, and every other type stay text as
    /// PostgreSQL prints it (timestamps in the session's `DateStyle` and `TimeZone`).
    public static func value(_ text: String?, type: UInt32) -> JSONValue {
        guard let text else { return .null }
        switch type {
        case 20, 21, 23, 26, 700, 701, 1700:  // int8, int2, int4, oid, float4, float8, numeric
            guard let number = Double(text), number.isFinite else { return .string(text) }
            return .number(number)
        case 16:  // bool
            return .bool(text == "t")
        case 114, 3802:  // json, jsonb
            return (try? JSONValue(parsing: text)) ?? .string(text)
        default:
            return .string(text)
        }
    }

    /// Calls `body` with each value of row `line` in column order, unescaped (nil for NULL), while it returns true.
    private func forEachValue(ofLine line: Int, _ body: (Int, String?) -> Bool) {
        let start = line == 0 ? 0 : lineEnds[line - 1]
        text.withUnsafeBufferPointer { bytes in
            // The line's bytes without its newline.
            let line = UnsafeBufferPointer(rebasing: bytes[start..<lineEnds[line] - 1])
            var column = 0
            var valueStart = 0
            for offset in 0...line.count where offset == line.count || line[offset] == UInt8(ascii: "\t") {
                let value = UnsafeBufferPointer(rebasing: line[valueStart..<offset])
                guard body(column, CopyText.unescaped(value)) else { return }
                column += 1
                valueStart = offset + 1
            }
        }
    }
}

/// PostgreSQL's COPY text format ("COPY", File Formats) as far as rivulet writes it: values separated by tabs,
/// lines by newlines, `\N` for NULL, and backslash, tab, newline and carriage return as `\\`, `\t`, `\n`, `\r`.
enum CopyText {
    /// Appends `bytes`, escaping the bytes the format gives a meaning; runs without them are copied whole.
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to text: inout [UInt8]) {
        var run = 0
        for (offset, byte) in bytes.enumerated() {
            let escaped: UInt8
            switch byte {
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
            default: continue
            }
            text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<offset]))
            text.append(UInt8(ascii: "\\"))
            text.append(escaped)
            run = offset + 1
        }
        text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
    }

    /// One value as written by `appendEscaped`, or nil for `\N`.
    static func unescaped(_ value: UnsafeBufferPointer<UInt8>) -> String? {
        if value.count == 2, value[0] == UInt8(ascii: "\\"), value[1] == UInt8(ascii: "N") { return nil }
        guard value.contains(UInt8(ascii: "\\")) else { return String(decoding: value, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var escaping = false
        for byte in value {
            if escaping {
                switch byte {
                case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
                default: out.append(byte)
                }
                escaping = false
            } else if byte == UInt8(ascii: "\\") {
                escaping = true
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
