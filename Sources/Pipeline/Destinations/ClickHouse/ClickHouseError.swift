import Foundation

/// Why a ClickHouse call failed, sorted by who may retry: the runner (`unreachable`) or nobody (`rejected`).
enum ClickHouseError: Error, Equatable, CustomStringConvertible {
    /// No answer, a broken connection, a proxy's 502-504, or a ClickHouse code that says "try later".
    case unreachable(String)
    /// ClickHouse answered with an exception: `code` is its error code (nil when the body carried none).
    case rejected(code: Int?, message: String)

    /// ClickHouse codes about the server's state, not the query: TIMEOUT_EXCEEDED, TOO_MANY_SIMULTANEOUS_QUERIES,
    /// SOCKET_TIMEOUT, NETWORK_ERROR, MEMORY_LIMIT_EXCEEDED, TABLE_IS_READ_ONLY, TOO_MANY_PARTS, KEEPER_EXCEPTION.
    static let transientCodes: Set<Int> = [159, 202, 209, 210, 241, 242, 252, 999]

    /// Codes of values that do not parse or fit their column (CANNOT_PARSE_TEXT, CANNOT_PARSE_QUOTED_STRING,
    /// CANNOT_PARSE_INPUT_ASSERTION_FAILED, ATTEMPT_TO_READ_AFTER_EOF, CANNOT_PARSE_DATE, CANNOT_PARSE_DATETIME,
    /// TYPE_MISMATCH, ARGUMENT_OUT_OF_BOUND, CANNOT_CONVERT_TYPE, CANNOT_PARSE_NUMBER, INCORRECT_DATA,
    /// TOO_LARGE_STRING_SIZE, VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE): an insert failing with one of these is narrowed
    /// down to its bad rows.
    static let dataCodes: Set<Int> = [6, 26, 27, 32, 38, 41, 53, 69, 70, 72, 117, 131, 321]

    /// NO_SUCH_COLUMN_IN_TABLE, UNKNOWN_TABLE: the cached schema is stale (someone dropped a table or column).
    static let staleSchemaCodes: Set<Int> = [16, 60]

    /// Sorts a non-200 answer of `address`. ClickHouse 18 answers most exceptions, data errors included, with a
    /// 500 and `Code: N, e.displayText() = DB::Exception: ...`, so the code decides, not the status.
    init(status: Int, body: String, address: String) {
        let (code, message) = Self.parse(body)
        if let code, !Self.transientCodes.contains(code) {
            self = .rejected(code: code, message: message)
        } else if code != nil || (502...504).contains(status) {
            self = .unreachable("\(address): \(message.isEmpty ? "HTTP \(status)" : message)")
        } else {
            self = .rejected(code: nil, message: "HTTP \(status) from \(address): \(message)")
        }
    }

    var isDataError: Bool {
        if case .rejected(let code?, _) = self { return Self.dataCodes.contains(code) }
        return false
    }

    var isStaleSchema: Bool {
        if case .rejected(let code?, _) = self { return Self.staleSchemaCodes.contains(code) }
        return false
    }

    var description: String {
        switch self {
        case .unreachable(let reason): reason
        case .rejected(_, let message): message
        }
    }

    /// `Code: 193, e.displayText() = DB::Exception: Wrong password for user writer, e.what() = DB::Exception` as
    /// code 193 and `Wrong password for user writer (ClickHouse code 193)`.
    static func parse(_ body: String) -> (Int?, String) {
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("Code: "), let comma = text.firstIndex(of: ","),
              let code = Int(text[text.index(text.startIndex, offsetBy: 6)..<comma]) else { return (nil, text) }
        var message = String(text[text.index(after: comma)...]).trimmingCharacters(in: .whitespaces)
        for prefix in ["e.displayText() = ", "DB::Exception: "] where message.hasPrefix(prefix) {
            message.removeFirst(prefix.count)
        }
        if let tail = message.range(of: ", e.what() = ") { message = String(message[..<tail.lowerBound]) }
        message = message.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        return (code, "\(message) (ClickHouse code \(code))")
    }
}
