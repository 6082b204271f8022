import Loop
import Templates

/// Rows into PostgreSQL tables (type `postgres`; `redshift` shares the code) through one libpq connection on the
/// loop, in bulk with `COPY ... FROM STDIN`.
///
/// Tables and columns are created as rows need them (see `PostgresTables`). A value its column cannot take is
/// rejected with its row before sending; a row the server still refuses during a COPY is found by sending the
/// batch again without it, so only that row goes to the fallback file. A broken connection makes the batch
/// `.unreachable` and the next `store` connects again; a refused login or a statement error about the whole
/// batch (permission denied) rejects every row with the server's words.
public final class PostgresDestination: CopyRowsDestination, @unchecked Sendable {
    public let id: String
    private let settings: Settings
    private let loop: EventLoop
    private let tables: PostgresTables
    private let link: PostgresLink
    /// The connection whose commits were not waited on (`TableBatch.defersDurability`) since the last
    /// `makeDurable()`, and whether one before it broke with such commits.
    private var unflushed: PostgresConnection?
    private var lostFlush = false
    /// The server refused `SET synchronous_commit` (Redshift): every commit is durable.
    private var commitsAlwaysWait = false

    init(id: String, settings: Settings, context: DestinationContext) {
        self.id = id
        self.settings = settings
        loop = context.loop
        tables = PostgresTables(schema: settings.schema)
        link = PostgresLink(loop: context.loop, settings: settings)
    }

    public func store(_ batch: TableBatch) async -> StoreOutcome {
        loop.assertInLoop()
        do throws(PostgresError) {
            return .stored(rejected: try await write(batch))
        } catch {
            switch error {
            case .unreachable(let reason):
                link.drop()
                return .unreachable(reason)
            case .loginRefused(let reason):
                return .stored(rejected: Self.all(batch, reason))
            case .statement(let error):
                return .stored(rejected: Self.all(batch, error.message))
            }
        }
    }

    private static func all(_ batch: TableBatch, _ reason: String) -> [Int: String] {
        Dictionary(uniqueKeysWithValues: batch.rows.indices.map { ($0, reason) })
    }

    /// Stores `batch`, reading the table's columns again once when a statement shows the cache stale.
    private func write(_ batch: TableBatch) async throws(PostgresError) -> [Int: String] {
        let connection = try await link.connected()
        try await setCommitsWait(!batch.defersDurability, on: connection)
        let table = PostgresIdentifier.fitted(batch.table)
        do throws(PostgresError) {
            return try await write(batch, into: table, on: connection)
        } catch .statement(let error) where error.meansStaleSchema {
            tables.forget(table)
            return try await write(batch, into: table, on: connection)
        }
    }

    private func write(_ batch: TableBatch, into table: String, on connection: PostgresConnection) async throws(PostgresError) -> [Int: String] {
        let declared = Dictionary(batch.declaredKinds.map { (PostgresIdentifier.fitted($0.key), $0.value) }) { first, _ in first }
        guard !batch.upsertKey.isEmpty else {
            return try await write(batch.rows, declared: declared, into: table, on: connection, draft: batch.encoding as? PostgresCopyPlan.Draft)
        }
        return try await upsert(batch.rows, declared: declared, key: batch.upsertKey.map(Flattener.columnName), into: table, on: connection)
    }

    /// Rows whose key the table holds replace those rows (`INSERT ... ON CONFLICT DO UPDATE`): the rows are copied
    /// into a temporary table of the same shape first, so they still go in bulk and a bad row is still found alone.
    /// The key gets a unique index (needed by ON CONFLICT) when the table has none; within the batch the last row
    /// of a key wins, as it would have written last.
    private func upsert(_ rows: [Row], declared: [String: ColumnKind], key: [String], into table: String,
                        on connection: PostgresConnection) async throws(PostgresError) -> [Int: String] {
        // Rows without a full key never conflict (NULL is distinct in a unique index): all of them are kept.
        var lastOfKey: [[JSONValue]: Int] = [:]
        var unkeyed: [Int] = []
        for (index, row) in rows.enumerated() {
            let values = key.compactMap { row.columns[$0] }.filter { $0 != .null }
            if values.count == key.count { lastOfKey[values] = index } else { unkeyed.append(index) }
        }
        let kept = (Array(lastOfKey.values) + unkeyed).sorted()
        // The table and its columns first, so the staging table copies its shape.
        let kinds: [String: ColumnKind]
        do {
            let keptRows = kept.map { rows[$0] }
            kinds = try await BackgroundWork.shared.run { PostgresCopyPlan.columnKinds(of: keptRows, declared: declared) }
        } catch {
            throw .unreachable("the node is stopping")
        }
        guard !kinds.isEmpty, key.allSatisfy({ kinds[$0] != nil }) else { return try await write(rows, declared: declared, into: table, on: connection) }
        _ = try await tables.columns(of: table, including: kinds, on: connection)
        let staging = try await stage(upsertingOn: key, into: table, on: connection)
        let rejectedKept = try await write(kept.map { rows[$0] }, declared: declared, into: table, on: connection, copyInto: staging)
        try await merge(staging, into: table, columns: kinds.keys.sorted(), key: key, on: connection)
        return Dictionary(uniqueKeysWithValues: rejectedKept.map { (kept[$0.key], $0.value) })
    }

    /// A new temporary table shaped as `table` (which has its columns) to copy rows into before `merge`; `table`
    /// gets a unique index on `key` (needed by ON CONFLICT) when it has none.
    private func stage(upsertingOn key: [String], into table: String, on connection: PostgresConnection) async throws(PostgresError) -> String {
        try await tables.ensureUniqueIndex(on: key, of: table, on: connection)
        let staging = "pg_temp.rivulet_upsert"
        try await connection.query("DROP TABLE IF EXISTS \(staging); CREATE TEMP TABLE rivulet_upsert (LIKE \(PostgresIdentifier.qualified(settings.schema, table)))")
        return staging
    }

    /// Moves the rows of `staging` into `table`: a row whose key the table holds replaces that row. Drops `staging`.
    private func merge(_ staging: String, into table: String, columns: [String], key: [String], on connection: PostgresConnection) async throws(PostgresError) {
        let list = columns.map(PostgresIdentifier.quoted).joined(separator: ", ")
        let updates = columns.filter { !key.contains($0) }.map { "\(PostgresIdentifier.quoted($0)) = EXCLUDED.\(PostgresIdentifier.quoted($0))" }
        try await connection.query("INSERT INTO \(PostgresIdentifier.qualified(settings.schema, table)) (\(list)) SELECT \(list) FROM \(staging) "
            + "ON CONFLICT (\(key.map(PostgresIdentifier.quoted).joined(separator: ", "))) DO "
            + (updates.isEmpty ? "NOTHING" : "UPDATE SET \(updates.joined(separator: ", "))") + "; DROP TABLE \(staging)")
    }

    /// Sets the session's `synchronous_commit`, remembering a connection that commits without waiting.
    private func setCommitsWait(_ wait: Bool, on connection: PostgresConnection) async throws(PostgresError) {
        if !wait, !commitsAlwaysWait {
            if let unflushed, unflushed !== connection { lostFlush = true }
            unflushed = connection
        }
        guard connection.commitsWaitForFlush != wait, !commitsAlwaysWait else { return }
        do throws(PostgresError) {
            try await connection.query("SET synchronous_commit = \(wait ? "on" : "off")")
            connection.commitsWaitForFlush = wait
        } catch .statement {
            commitsAlwaysWait = true
            unflushed = nil
        }
    }

    public var canDeferDurability: Bool { !commitsAlwaysWait }

    /// A transaction that writes (an id assigned) and commits waiting for the WAL to be flushed, which flushes the
    /// commits before it too.
    public func makeDurable() async -> StoreOutcome {
        loop.assertInLoop()
        defer { (unflushed, lostFlush) = (nil, false) }
        guard let connection = unflushed else { return lostFlush ? .unreachable("a connection broke before its commits were flushed") : .allStored }
        guard !lostFlush, connection.isUsable else { return .unreachable("a connection broke before its commits were flushed") }
        do throws(PostgresError) {
            try await connection.query("SET synchronous_commit = on; SELECT txid_current()")
            connection.commitsWaitForFlush = true
            return .allStored
        } catch {
            link.drop()
            return .unreachable(error.description)
        }
    }

    /// Stores `rows` as `CopyRowsDestination` says: one COPY of their text when every table column they fill has
    /// their kind, since each value goes in as the source printed it, which only such a column reads as it would
    /// the value's JSON (a float column also takes integers).
    public func store(_ rows: CopyRows, table name: String, upsertKey: [String]) async -> StoreOutcome? {
        loop.assertInLoop()
        var kinds: [String: ColumnKind] = [:]
        var columns: [String] = []
        for (source, kind) in zip(rows.columns, rows.kinds) {
            let column = PostgresIdentifier.fitted(Flattener.columnName(source))
            // Flattening names json's members as columns of their own; two names may make one column.
            guard let kind, kinds.updateValue(kind, forKey: column) == nil else { return nil }
            columns.append(column)
        }
        let key = upsertKey.map(Flattener.columnName)
        guard !columns.isEmpty, key.allSatisfy({ kinds[$0] != nil }) else { return nil }
        let table = PostgresIdentifier.fitted(name)
        do throws(PostgresError) {
            let connection = try await link.connected()
            try await setCommitsWait(true, on: connection)
            do throws(PostgresError) {
                return try await copy(rows, columns: columns, kinds: kinds, key: key, into: table, on: connection) ? .allStored : nil
            } catch .statement(let error) where error.meansStaleSchema {
                tables.forget(table)
                return try await copy(rows, columns: columns, kinds: kinds, key: key, into: table, on: connection) ? .allStored : nil
            }
        } catch {
            guard case .unreachable(let reason) = error else { return nil }
            link.drop()
            return .unreachable(reason)
        }
    }

    /// Copies `rows` into `table` (upserting on `key` unless empty); false, having stored nothing, when a column's
    /// type does not match.
    private func copy(_ rows: CopyRows, columns: [String], kinds: [String: ColumnKind], key: [String], into table: String,
                      on connection: PostgresConnection) async throws(PostgresError) -> Bool {
        let existing = try await tables.columns(of: table, including: kinds, on: connection)
        for (column, kind) in kinds {
            guard let have = existing[column]?.kind, have == kind || (have == .float && kind == .integer) else { return false }
        }
        let target = key.isEmpty ? PostgresIdentifier.qualified(settings.schema, table) : try await stage(upsertingOn: key, into: table, on: connection)
        let sql = "COPY \(target) (\(columns.map(PostgresIdentifier.quoted).joined(separator: ", "))) FROM STDIN"
        try await connection.copy(sql, data: rows.text, parts: [0..<rows.text.count])
        if !key.isEmpty { try await merge(target, into: table, columns: columns, key: key, on: connection) }
        return true
    }

    public var encoder: BatchEncoder? {
        { batch in batch.upsertKey.isEmpty ? PostgresCopyPlan.Draft(rows: batch.rows) : nil }
    }

    public var encodesEventText: Bool { true }

    /// COPYs `rows` into `table` (or, with `copyInto`, into that relation of the same shape), typed by `table`'s
    /// columns, new ones by `declared` (fitted names) before values; `draft` is the rows' plan made ahead by
    /// `encoder`, if it ran.
    private func write(_ rows: [Row], declared: [String: ColumnKind], into table: String, on connection: PostgresConnection,
                       copyInto target: String? = nil, draft: PostgresCopyPlan.Draft? = nil) async throws(PostgresError) -> [Int: String] {
        // Typing and encoding thousands of rows is CPU work: both run on background threads, so the loop keeps
        // answering requests while a large batch is prepared.
        let kinds: [String: ColumnKind]
        if let draft {
            kinds = draft.kinds
        } else {
            do {
                kinds = try await BackgroundWork.shared.run { PostgresCopyPlan.columnKinds(of: rows, declared: declared) }
            } catch {
                throw .unreachable("the node is stopping")
            }
        }
        // Rows without a single value have nothing to store.
        guard !kinds.isEmpty else { return [:] }
        let columns = try await tables.columns(of: table, including: kinds, on: connection)
        let sql = "COPY \(target ?? PostgresIdentifier.qualified(settings.schema, table)) ("
            + kinds.keys.sorted().map(PostgresIdentifier.quoted).joined(separator: ", ") + ") FROM STDIN"
        // First attempt: a draft the table takes goes whole. Otherwise slices are planned on background threads
        // while the COPY sends the slice before, so the server loads rows while the next ones are encoded (as
        // psql's \copy streams a file). Either way the batch's plan is what the retries below resend from.
        var plan: PostgresCopyPlan
        var sliceStart: Int
        var upcoming: Task<PostgresCopyPlan, any Error>?
        var whole: [UInt8]?
        let fits = draft?.fits(columns) == true
        let rows = fits ? rows : try await Self.flattened(rows)
        if let draft, fits {
            plan = draft.plan
            (sliceStart, upcoming, whole) = (rows.count, nil, draft.plan.text)
        } else {
            plan = PostgresCopyPlan(rows: [], kinds: kinds, table: columns)
            (sliceStart, upcoming, whole) = (0, Self.planSlice(rows, from: 0, kinds: kinds, table: columns), nil)
        }
        var firstFailure: PostgresError?
        do throws(PostgresError) {
            try await connection.copy(sql) { () async throws(PostgresError) -> ([UInt8], Range<Int>)? in
                if let text = whole {
                    whole = nil
                    return (text, 0..<text.count)
                }
                guard let slice = upcoming else { return nil }
                let slicePlan: PostgresCopyPlan
                do {
                    slicePlan = try await slice.value
                } catch {
                    throw .unreachable("the node is stopping")
                }
                let next = sliceStart + Self.sliceRows
                upcoming = next < rows.count ? Self.planSlice(rows, from: next, kinds: kinds, table: columns) : nil
                plan.append(slicePlan, rowOffset: sliceStart)
                sliceStart = next
                return slicePlan.text.isEmpty ? ([], 0..<0) : (slicePlan.text, 0..<slicePlan.text.count)
            }
        } catch {
            firstFailure = error
        }
        // Slices not yet planned when the COPY failed early.
        while let slice = upcoming {
            do {
                plan.append(try await slice.value, rowOffset: sliceStart)
            } catch {
                throw .unreachable("the node is stopping")
            }
            sliceStart += Self.sliceRows
            upcoming = sliceStart < rows.count ? Self.planSlice(rows, from: sliceStart, kinds: kinds, table: columns) : nil
        }
        var rejected = plan.rejected
        guard let failure = firstFailure else { return rejected }
        guard case .statement(let first) = failure, first.isRowData else { throw failure }
        var pending = [CopyLineSet(count: plan.rowOfLine.count)].filter { !$0.isEmpty }
        var knownFailure: ServerError? = first
        while let lines = pending.popLast() {
            do throws(PostgresError) {
                // The first attempt's error stands for the whole set; later sets are sent again.
                if let error = knownFailure {
                    knownFailure = nil
                    throw .statement(error)
                }
                try await connection.copy(sql, data: plan.text, parts: lines.runs.map(plan.bytes(of:)))
            } catch .statement(let error) where error.isRowData {
                // The COPY stored nothing. The error's line names the row; without it, halve the set until it does.
                if let line = error.copyLine, (1...lines.count).contains(line) {
                    let bad = lines.line(at: line - 1)
                    rejected[plan.rowOfLine[bad]] = error.message
                    pending.append(lines.removing(bad))
                } else if lines.count == 1 {
                    rejected[plan.rowOfLine[lines.line(at: 0)]] = error.message
                } else {
                    let (first, second) = lines.halves()
                    pending += [second, first]
                }
                pending.removeAll { $0.isEmpty }
            }
        }
        return rejected
    }

    /// `rows` with the columns of those that left them until read flattened once, sharing shapes, so they are
    /// planned value by value as any other rows.
    private static func flattened(_ rows: [Row]) async throws(PostgresError) -> [Row] {
        guard rows.contains(where: \.flattensLater) else { return rows }
        do {
            return try await BackgroundWork.shared.run {
                var shapes = ColumnShapes()
                return rows.map { $0.withColumns(shapes: &shapes) }
            }
        } catch {
            throw .unreachable("the node is stopping")
        }
    }

    /// Rows per slice of the first attempt: small enough that the server starts loading soon, large enough that a
    /// slice's hop to a background thread costs nothing.
    static let sliceRows = 2_000

    private static func planSlice(_ rows: [Row], from start: Int, kinds: [String: ColumnKind], table: [String: PostgresColumn]) -> Task<PostgresCopyPlan, any Error> {
        let slice = Array(rows[start..<min(start + sliceRows, rows.count)])
        return Task { try await BackgroundWork.shared.run { PostgresCopyPlan(rows: slice, kinds: kinds, table: table) } }
    }

    /// Connects, creates the schema if needed, and creates, fills and drops a table
    /// `rivulet_test_connection_<random>` in one transaction, so a failure leaves nothing behind.
    public func testConnection() async throws(DestinationFailure) {
        loop.assertInLoop()
        do throws(PostgresError) {
            let connection = try await PostgresConnection.connect(loop: loop, settings: settings)
            defer { connection.close() }
            try await PostgresTables.createSchema(settings.schema, on: connection)
            let table = PostgresIdentifier.qualified(settings.schema, "rivulet_test_connection_\(UInt64.random(in: 0...UInt64.max))")
            try await connection.query("CREATE TABLE \(table) (id bigint); INSERT INTO \(table) VALUES (1); DROP TABLE \(table)")
        } catch {
            throw DestinationFailure(error.description)
        }
    }

    public func close() async {
        loop.assertInLoop()
        link.drop()
    }
}
