import CLibPQ
import Glibc
import Loop

/// One libpq connection driven on the loop through libpq's non-blocking API: libpq reads and writes its socket, a
/// `Poll` says when it can, and a timer bounds each operation, so nothing ever blocks the loop.
///
/// Loop-bound, one operation at a time (its owner, a destination or a source driver, serializes its calls). Any
/// failure that leaves the protocol state unknown (timeout, broken socket) is `.unreachable`, after which the owner
/// closes the connection and makes a new one.
package final class PostgresConnection: @unchecked Sendable {
    let loop: EventLoop
    /// The libpq connection (`PGconn *`), finished by `close()`.
    let conn: OpaquePointer
    private let timer: LoopTimer
    /// The poll on libpq's current socket; replaced when libpq switches sockets while connecting.
    private var poll: Poll?
    private var waiting: CheckedContinuation<Result<Void, PostgresError>, Never>?
    private let queryTimeout: Duration
    private(set) var isClosed = false
    /// Whether this session's commits wait for their WAL to be flushed (`synchronous_commit`, on by default).
    var commitsWaitForFlush = true

    init(loop: EventLoop, conn: OpaquePointer, queryTimeout: Duration) throws(PostgresError) {
        self.loop = loop
        self.conn = conn
        self.queryTimeout = queryTimeout
        do {
            timer = try LoopTimer(loop: loop)
        } catch {
            PQfinish(conn)
            throw .unreachable("\(error)")
        }
        // libpq prints notices ("relation already exists, skipping") to stderr by default.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
    }

    deinit { assert(isClosed, "leak of an open PostgresConnection") }

    /// Whether the connection can take another statement.
    package var isUsable: Bool { !isClosed && PQstatus(conn) == CONNECTION_OK }

    /// Ends the connection and any wait in progress (which then throws `.unreachable`); idempotent.
    package func close() {
        guard !isClosed else { return }
        isClosed = true
        finishWait(.failure(.unreachable("the connection was closed")))
        // The poll goes before libpq closes the socket under it.
        poll?.close()
        poll = nil
        timer.close()
        PQfinish(conn)
    }

    /// Runs `sql` and returns the rows of its result as text; with `parameters`, `$1`... are bound to them as text
    /// (one statement only), otherwise `sql` may hold several statements.
    @discardableResult
    package func query(_ sql: String, _ parameters: [String?] = []) async throws(PostgresError) -> [[String?]] {
        try await result(of: sql, parameters).rows
    }

    /// Runs `sql` as `query` does and returns the last result that had rows, with its columns' names and types.
    package func result(of sql: String, _ parameters: [String?] = []) async throws(PostgresError) -> PostgresResult {
        try await results(until: try await send(sql, parameters))
    }

    /// Runs `sql` as `query` does and returns the rows of the last result that had rows as COPY input, written on
    /// a background thread: a page of a synced table is thousands of values.
    package func copyRows(of sql: String, _ parameters: [String?] = []) async throws(PostgresError) -> CopyRows {
        guard let result = try await lastRows(until: try await send(sql, parameters)) else { return CopyRows(columns: [], types: []) }
        let handle = ResultHandle(pointer: result)
        defer { PQclear(result) }
        do {
            return try await BackgroundWork.shared.run { CopyRows(handle.pointer) }
        } catch {
            throw .unreachable("the node is stopping")
        }
    }

    /// A `PGresult` read on the loop and only read elsewhere until the loop clears it.
    private struct ResultHandle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// Sends `sql`, bound to `parameters` when there are any; returns the deadline of the whole statement.
    private func send(_ sql: String, _ parameters: [String?]) async throws(PostgresError) -> UInt64 {
        let deadline = self.deadline()
        let sent = parameters.isEmpty
            ? PQsendQuery(conn, sql)
            : withCStrings(parameters) { PQsendQueryParams(conn, sql, Int32($0.count), nil, $0, nil, nil, 0) }
        guard sent == 1 else { throw libpqFailure() }
        try await flush(until: deadline)
        return deadline
    }

    /// The loop time by which an operation started now must end.
    func deadline() -> UInt64 { loop.now + queryTimeout.milliseconds }

    /// Reads every result of the statement in flight up to the end, returning the last one that had rows and
    /// throwing the first error.
    func results(until deadline: UInt64) async throws(PostgresError) -> PostgresResult {
        guard let result = try await lastRows(until: deadline) else { return PostgresResult() }
        defer { PQclear(result) }
        return PostgresResult(result)
    }

    /// Reads every result of the statement in flight up to the end, returning the last one that had rows (the
    /// caller clears it) and throwing the first error.
    private func lastRows(until deadline: UInt64) async throws(PostgresError) -> OpaquePointer? {
        var last: OpaquePointer?
        var failure: PostgresError?
        while let result = try await nextResult(until: deadline) {
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK:
                if let last { PQclear(last) }
                last = result
                continue
            case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY: break
            default: failure = failure ?? error(from: result)
            }
            PQclear(result)
        }
        if let failure {
            if let last { PQclear(last) }
            throw failure
        }
        return last
    }

    /// The next result of the statement in flight, or nil once it has none left.
    func nextResult(until deadline: UInt64) async throws(PostgresError) -> OpaquePointer? {
        while PQisBusy(conn) == 1 {
            try await wait(for: .readable, until: deadline)
            guard PQconsumeInput(conn) == 1 else { throw libpqFailure() }
        }
        return PQgetResult(conn)
    }

    /// Sends everything libpq has buffered. While the socket is full, input is read too: the server may be
    /// waiting for its own output to be read before it reads more (libpq "Asynchronous Command Processing").
    func flush(until deadline: UInt64) async throws(PostgresError) {
        while true {
            switch PQflush(conn) {
            case 0: return
            case 1:
                try await wait(for: [.readable, .writable], until: deadline)
                guard PQconsumeInput(conn) == 1 else { throw libpqFailure() }
            default: throw libpqFailure()
            }
        }
    }

    /// The error of a failed result: connection-level SQLSTATEs and a connection libpq found broken are
    /// `.unreachable`, the rest `.statement`.
    func error(from result: OpaquePointer) -> PostgresError {
        func field(_ code: Unicode.Scalar) -> String? {
            PQresultErrorField(result, Int32(code.value)).map { String(cString: $0) }
        }
        let sqlstate = field("C") ?? ""
        let message = field("M") ?? Self.oneLine(String(cString: PQresultErrorMessage(result)))
        if PQstatus(conn) == CONNECTION_BAD || PostgresError.meansConnectionLost(sqlstate) {
            return .unreachable(message)
        }
        return .statement(ServerError(sqlstate: sqlstate, message: message, copyLine: ServerError.copyLine(inContext: field("W"))))
    }

    /// A libpq call that failed outright (could not send, read EOF): the connection's state is unknown.
    func libpqFailure() -> PostgresError {
        .unreachable(Self.oneLine(String(cString: PQerrorMessage(conn))))
    }

    /// libpq's multi-line messages as one line.
    static func oneLine(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline).map { $0.trimmingPrefix { $0 == " " || $0 == "\t" } }.joined(separator: " ")
    }

    /// Forgets the poll, so the next wait watches libpq's socket afresh: while connecting, libpq may close its
    /// socket and open another that reuses the descriptor number.
    func renewPoll() {
        poll?.close()
        poll = nil
    }

    /// Suspends until libpq's socket is ready for `events`; throws `.unreachable` with `timeoutReason` (by default
    /// naming the query timeout) at `deadline` (loop milliseconds).
    func wait(for events: Poll.Events, until deadline: UInt64, timeoutReason: String? = nil) async throws(PostgresError) {
        let reason = timeoutReason ?? "the server did not answer within \(queryTimeout.milliseconds / 1000) s"
        let socket = PQsocket(conn)
        guard !isClosed, socket >= 0 else { throw libpqFailure() }
        let now = loop.now
        guard deadline > now else { throw .unreachable(reason) }
        if poll?.socket != socket { renewPoll() }
        let current: Poll
        do {
            current = try poll ?? Poll(loop: loop, socket: socket)
        } catch {
            throw .unreachable("\(error)")
        }
        poll = current
        let outcome = await withCheckedContinuation { continuation in
            waiting = continuation
            timer.start(after: deadline - now) { [unowned self] in finishWait(.failure(.unreachable(reason))) }
            do {
                // A socket error counts as ready: libpq's next call on the socket reports what went wrong.
                try current.start(events) { [unowned self] _ in finishWait(.success(())) }
            } catch {
                finishWait(.failure(.unreachable("\(error)")))
            }
        }
        try outcome.get()
    }

    private func finishWait(_ outcome: Result<Void, PostgresError>) {
        guard let continuation = waiting else { return }
        waiting = nil
        poll?.stop()
        timer.stop()
        continuation.resume(returning: outcome)
    }
}

/// Runs `body` with `strings` as C strings (null stays a null pointer), freed afterwards.
func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = strings.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
