import Loop
import Pipeline
import Templates

/// Reads the collections of a `postgres` source through one libpq connection on the loop (Pipeline's
/// `PostgresConnection`), opened on first use and again after it broke. Loop-bound.
///
/// A read is one `REPEATABLE READ READ ONLY` transaction around a server-side cursor fetched a page at a time, so
/// a run sees one snapshot however long it takes, and paging never runs the select again: with `WHERE cursor > last
/// LIMIT n` per page, rows sharing the cursor value at a page's end would be lost.
final class PostgresSourceDriver: SourceDriver, @unchecked Sendable {
    private let loop: EventLoop
    private let link: PostgresLink

    /// The server-side cursor's name; one read at a time per connection.
    private static let cursorName = "rivulet_source"

    init(loop: EventLoop, settings: PostgresSourceSettings) {
        self.loop = loop
        var connection = PostgresDestination.Settings(host: settings.host, port: settings.port, database: settings.database,
                                                      schema: settings.schema, username: settings.username, password: settings.password)
        // The first FETCH of an ordered cursor may sort the whole table before it returns a row.
        connection.queryTimeout = .seconds(600)
        link = PostgresLink(loop: loop, settings: connection)
    }

    /// Reads as `SourceDriver` says, each value typed by its column's type (see `value(_:type:)`). A page that
    /// would end inside a group of rows sharing a cursor value ends before the group instead, so the cursor passed
    /// with it is one a later run can resume after without losing rows. Only a group larger than `pageSize` is
    /// split, and its pages pass the cursor reached before it (a run resumed there reads the group again).
    ///
    /// Throws `SourceError` for the server's errors (`.refused` for a refused login or a failing select) and a
    /// broken connection, `CancellationError` when the task is cancelled, and whatever `deliver` throws; the
    /// transaction is rolled back first, or the connection closed when it cannot be.
    func read(_ collection: CollectionConfig, after cursor: String?, pageSize: Int,
              deliver: ([[String: JSONValue]], String?) async throws -> Void) async throws {
        loop.assertInLoop()
        guard case .postgres(let table, let query, let cursorField, _) = collection.read else {
            preconditionFailure("collection \(collection.name) of a postgres source reads \(collection.read)")
        }
        precondition(pageSize >= 1, "pageSize \(pageSize) must be at least 1")
        let (select, parameters) = Self.select(table: table, query: query, cursorField: cursorField,
                                               schema: link.settings.schema, after: cursor)
        let connection: PostgresConnection
        do {
            connection = try await link.connected()
        } catch {
            throw SourceError(error)
        }
        do {
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try await connection.query("DECLARE \(Self.cursorName) NO SCROLL CURSOR FOR \(select)", parameters)
            try await readPages(on: connection, cursorField: cursorField, after: cursor, pageSize: pageSize, deliver: deliver)
            try await connection.query("COMMIT")
        } catch let error as PostgresError {
            await end(connection, after: error)
            throw SourceError(error)
        } catch {
            await end(connection, after: nil)
            throw error
        }
    }

    /// Fetches the cursor's rows and delivers them in pages, one row ahead so a page's end can be checked against
    /// the next row's cursor value.
    private func readPages(on connection: PostgresConnection, cursorField: String?, after cursor: String?, pageSize: Int,
                           deliver: ([[String: JSONValue]], String?) async throws -> Void) async throws {
        // A full refresh has no cursor to pass on, whatever it was given.
        var reached = cursorField == nil ? nil : cursor
        var pending: [(row: [String: JSONValue], cursor: String?)] = []
        var exhausted = false
        while !exhausted || !pending.isEmpty {
            try Task.checkCancellation()
            if !exhausted && pending.count <= pageSize {
                let wanted = pageSize + 1 - pending.count
                let fetched = try await connection.result(of: "FETCH \(wanted) FROM \(Self.cursorName)")
                exhausted = fetched.rows.count < wanted
                // Typing thousands of values is CPU work: off the loop.
                pending += try await BackgroundWork.shared.run { Self.rows(of: fetched, cursorField: cursorField) }
            }
            guard !pending.isEmpty else { return }
            var count = min(pending.count, pageSize)
            var endsGroup = true
            if pending.count > pageSize, pending[pageSize].cursor == pending[pageSize - 1].cursor {
                let straddling = pending[pageSize - 1].cursor
                count = pending[..<pageSize].lastIndex { $0.cursor != straddling }.map { $0 + 1 } ?? pageSize
                endsGroup = count < pageSize
            }
            // NULL cursors sort last and are never read again (`>` excludes them), so they leave the cursor as it was.
            if endsGroup, let last = pending[..<count].last(where: { $0.cursor != nil })?.cursor { reached = last }
            try await deliver(pending[..<count].map(\.row), reached)
            pending.removeFirst(count)
        }
    }

    /// The select to declare the cursor for, and its parameters.
    static func select(table: String?, query: String?, cursorField: String?, schema: String, after cursor: String?) -> (String, [String?]) {
        guard let table else {
            // DECLARE takes one statement: a query written with a final `;` would end it early.
            var trimmed = Substring(query ?? "")
            while let last = trimmed.last, last == ";" || last.isWhitespace { trimmed.removeLast() }
            return (String(trimmed), [])
        }
        // `table` may name its schema (`sales.orders`), else it is in the source's schema.
        let parts = table.split(separator: ".", maxSplits: 1).map(String.init)
        let qualified = parts.count == 2
            ? PostgresIdentifier.qualified(parts[0], parts[1])
            : PostgresIdentifier.qualified(schema, table)
        guard let cursorField else { return ("SELECT * FROM \(qualified)", []) }
        let column = PostgresIdentifier.quoted(cursorField)
        guard let cursor else { return ("SELECT * FROM \(qualified) ORDER BY \(column)", []) }
        // The server reads the cursor text as the column's type, so it compares as the column does.
        return ("SELECT * FROM \(qualified) WHERE \(column) > $1 ORDER BY \(column)", [cursor])
    }

    /// The rows of a FETCH as JSON objects keyed by column name, each with its cursor field's text.
    private static func rows(of result: PostgresResult, cursorField: String?) -> [(row: [String: JSONValue], cursor: String?)] {
        let cursorColumn = cursorField.flatMap { result.names.firstIndex(of: $0) }
        return result.rows.map { values in
            var row: [String: JSONValue] = [:]
            for (index, name) in result.names.enumerated() {
                row[name] = value(values[index], type: result.types[index])
            }
            return (row, cursorColumn.flatMap { values[$0] })
        }
    }

    /// A value from PostgreSQL's text output as JSON, by its type's OID (`pg_type.dat`): integers, floats and
    /// numerics are numbers (a bigint above 2^53 loses precision, as in any JSON reader), booleans booleans, json
    /// and jsonb their JSON; NaN and infinities, which JSON cannot hold, and every other type stay text as
    /// PostgreSQL prints it (timestamps in the session's `DateStyle` and `TimeZone`).
    static func value(_ text: String?, type: UInt32) -> JSONValue {
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

    /// Ends the transaction after a failed read: a ROLLBACK when the connection can still take one, else the
    /// connection is dropped (the next read opens another).
    private func end(_ connection: PostgresConnection, after error: PostgresError?) async {
        if case .unreachable = error {
            link.drop()
            return
        }
        do {
            try await connection.query("ROLLBACK")
        } catch {
            link.drop()
        }
    }

    func close() async {
        loop.assertInLoop()
        link.drop()
    }
}

extension SourceError {
    /// A login refused or a failed statement is `.refused`, anything else about the connection `.unreachable`.
    init(_ error: PostgresError) {
        switch error {
        case .unreachable(let reason): self = .unreachable(reason)
        case .loginRefused(let reason): self = .refused(reason)
        case .statement(let error): self = .refused(error.message)
        }
    }
}
