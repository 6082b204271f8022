/// What went wrong talking to PostgreSQL, sorted by what the caller does about it.
package enum PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server could not be reached or the connection broke (refused, reset, EOF, timeout, server shutdown):
    /// the connection is unusable and a later attempt on a new one may succeed.
    case unreachable(String)
    /// The server answered the login with an error (wrong password, unknown role or database, no pg_hba.conf
    /// entry): trying again with the same settings gives the same answer.
    case loginRefused(String)
    /// One statement failed; the connection is still usable.
    case statement(ServerError)

    package var description: String {
        switch self {
        case .unreachable(let reason), .loginRefused(let reason): reason
        case .statement(let error): error.message
        }
    }

    /// SQLSTATEs of a statement error that mean the connection is gone rather than the statement wrong: class 08
    /// (connection exception) and the shutdown codes `57P01` admin, `57P02` crash, `57P03` cannot connect now
    /// (PostgreSQL Appendix A).
    static func meansConnectionLost(_ sqlstate: String) -> Bool {
        sqlstate.hasPrefix("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03"
    }

    /// Sorts libpq's message for a failed connection attempt. libpq keeps no SQLSTATE for it, so connections are
    /// made with verbose errors, which put the code after the severity (`FATAL:  28P01: password authentication
    /// failed...`): a code means the server answered, which is a refused login unless the code says the server
    /// is busy or shutting down. Without a code the server was not reached. Either way the reason keeps libpq's
    /// words, without the code and the verbose `LOCATION` lines.
    static func connectFailure(_ message: String) -> PostgresError {
        var sqlstate: String?
        var lines: [String] = []
        for line in message.split(separator: "\n") {
            var text = String(line.trimmingPrefix { $0 == " " || $0 == "\t" })
            if text.hasPrefix("LOCATION:") { continue }
            if sqlstate == nil, let (code, range) = verboseCode(in: text) {
                sqlstate = code
                text.removeSubrange(range)
            }
            lines.append(text)
        }
        let reason = lines.joined(separator: " ")
        guard let sqlstate, !meansConnectionLost(sqlstate), sqlstate != "53300" else { return .unreachable(reason) }
        return .loginRefused(reason)
    }

    /// The SQLSTATE that verbose errors put after the severity (`FATAL:  28P01: `), and the range of `code: `.
    private static func verboseCode(in line: String) -> (String, Range<String.Index>)? {
        for severity in ["FATAL:  ", "ERROR:  ", "PANIC:  "] {
            guard let found = line.firstRange(of: severity) else { continue }
            let code = line[found.upperBound...].prefix(5)
            let rest = line[code.endIndex...]
            guard code.count == 5, code.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) }), rest.hasPrefix(": ") else { continue }
            return (String(code), code.startIndex..<rest.index(rest.startIndex, offsetBy: 2))
        }
        return nil
    }
}

/// An error the server reported for a statement (an `ErrorResponse`), with the fields rivulet acts on.
package struct ServerError: Sendable, Equatable {
    /// The five-character SQLSTATE (`22P02`).
    package let sqlstate: String
    /// The primary message (`invalid input syntax for type bigint: "abc"`).
    package let message: String
    /// For an error inside `COPY ... FROM STDIN`, the 1-based line of the data it is about, read from the error's
    /// context (`COPY events, line 3, column n: "abc"`).
    let copyLine: Int?

    /// Whether the error is about the values of one row, so that its neighbours can be stored without it: class 22
    /// (data exception), 23 (integrity constraint violation) and 54 (program limit exceeded, a row too large).
    var isRowData: Bool {
        sqlstate.hasPrefix("22") || sqlstate.hasPrefix("23") || sqlstate.hasPrefix("54")
    }

    /// Whether the cached columns of the table no longer match the server (a table, column or schema dropped or
    /// renamed by someone else): `42P01` undefined table, `42703` undefined column, `3F000` invalid schema name.
    var meansStaleSchema: Bool {
        sqlstate == "42P01" || sqlstate == "42703" || sqlstate == "3F000"
    }

    /// The line number in a COPY error context, if any.
    static func copyLine(inContext context: String?) -> Int? {
        guard let context else { return nil }
        for line in context.split(separator: "\n") where line.hasPrefix("COPY ") {
            guard let found = line.firstRange(of: ", line ") else { continue }
            return Int(line[found.upperBound...].prefix { $0.isASCII && $0.isNumber })
        }
        return nil
    }
}
