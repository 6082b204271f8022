import Loop
import Pipeline

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

    /// Pages are COPY text, about as large as the table's rows on disk: tens of thousands of rows make a few
    /// megabytes, and each page is one transaction on a PostgreSQL destination, whose commit waits for its disk.
    let rowsPerPage = 50_000
    /// A page's text ends before this many bytes (unless one row is larger), whatever its row count.
    private let pageBytes: Int

    init(loop: EventLoop, settings: PostgresSourceSettings, pageBytes: Int = 8 << 20) {
        self.loop = loop
        self.pageBytes = pageBytes
        var connection = PostgresDestination.Settings(host: settings.host, port: settings.port, database: settings.database,
                                                      schema: settings.schema, username: settings.username, password: settings.password)
        // The first FETCH of an ordered cursor may sort the whole table before it returns a row.
        connection.queryTimeout = .seconds(600)
        link = PostgresLink(loop: loop, settings: connection)
    }

    /// Reads as `SourceDriver` says, in pages of `CopyRows` (their objects typed by their columns' types). A page
    /// that would end inside a group of rows sharing a cursor value ends before the group instead, so the cursor
    /// passed with it is one a later run can resume after without losing rows. Only a group larger than `pageSize` is
    /// split, and its pages pass the cursor reached before it (a run resumed there reads the group again).
    ///
    /// Throws `SourceError` for the server's errors (`.refused` for a refused login or a failing select) and a
    /// broken connection, `CancellationError` when the task is cancelled, and whatever `deliver` throws; the
    /// transaction is rolled back first, or the connection closed when it cannot be.
    func read(_ collection: CollectionConfig, after cursor: String?, pageSize: Int,
              deliver: (SourcePage, String?) async throws -> Void) async throws {
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
    /// the next row's cursor value. Each FETCH asks for about the rows that fill a page's bytes, judged by the
    /// rows fetched before.
    private func readPages(on connection: PostgresConnection, cursorField: String?, after cursor: String?, pageSize: Int,
                           deliver: (SourcePage, String?) async throws -> Void) async throws {
        // A full refresh has no cursor to pass on, whatever it was given.
        var reached = cursorField == nil ? nil : cursor
        var pending: CopyRows?
        var cursors: [String?] = []
        var exhausted = false
        var fetchRows = min(pageSize + 1, 1_000)
        while true {
            try Task.checkCancellation()
            // Rows past the page's bytes end it before `pageSize`.
            let fitting = pending?.rows(within: pageBytes) ?? 0
            let limit = fitting < cursors.count ? min(pageSize, fitting) : pageSize
            if !exhausted && cursors.count <= limit {
                let wanted = min(limit + 1 - cursors.count, fetchRows)
                let fetched = try await connection.copyRows(of: "FETCH \(wanted) FROM \(Self.cursorName)")
                exhausted = fetched.count < wanted
                if fetched.count > 0 {
                    if let earlier = pending {
                        // Megabytes of text to copy: off the loop, as the slicing below.
                        pending = try await BackgroundWork.shared.run {
                            var joined = earlier
                            joined.append(fetched)
                            return joined
                        }
                    } else {
                        pending = fetched
                    }
                    cursors += try await Self.cursors(of: fetched, cursorField: cursorField)
                    fetchRows = max(1, pageBytes / max(1, fetched.text.count / fetched.count))
                }
                continue
            }
            guard let rows = pending, !cursors.isEmpty else { return }
            var count = min(cursors.count, limit)
            var endsGroup = true
            if cursors.count > limit, cursors[limit] == cursors[limit - 1] {
                let straddling = cursors[limit - 1]
                count = cursors[..<limit].lastIndex { $0 != straddling }.map { $0 + 1 } ?? limit
                endsGroup = count < limit
            }
            // NULL cursors sort last and are never read again (`>` excludes them), so they leave the cursor as it was.
            if endsGroup, let last = cursors[..<count].last(where: { $0 != nil }) { reached = last }
            let split = count
            let (page, rest) = split == rows.count
                ? (rows, nil)
                : try await BackgroundWork.shared.run { (rows[0..<split], rows[split..<rows.count]) }
            try await deliver(.copyRows(page), reached)
            pending = rest
            cursors.removeFirst(count)
        }
    }

    /// The cursor field's text in each row (all nil for a full refresh), read off the loop.
    private static func cursors(of rows: CopyRows, cursorField: String?) async throws -> [String?] {
        guard let column = cursorField.flatMap({ rows.columns.firstIndex(of: $0) }) else { return Array(repeating: nil, count: rows.count) }
        return try await BackgroundWork.shared.run { (0..<rows.count).map { rows.value(column, ofLine: $0) } }
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
