import Foundation
import Templates
import Testing
import TestSupport
@testable import SourceSync

/// Against the shared real PostgreSQL server; each test reads tables of a schema of its own.
@Suite struct PostgresSourceDriverTests {
    let server: PostgresServer
    let harness: LoopHarness
    let schema = "source_\(UInt32.random(in: 0...UInt32.max))"

    init() async throws {
        server = try await PostgresServer.shared.value
        harness = try LoopHarness()
        try await sql("CREATE SCHEMA \(schema)")
    }

    /// One `deliver` call.
    struct Page: Sendable, Equatable {
        let rows: [[String: JSONValue]]
        let cursor: String?
    }

    private func settings(port: Int? = nil, password: String = PostgresServer.password) -> PostgresSourceSettings {
        PostgresSourceSettings(host: "127.0.0.1", port: port ?? server.port, database: PostgresServer.database, schema: schema,
                               username: PostgresServer.user, password: password)
    }

    private func collection(table: String? = nil, query: String? = nil, cursorField: String? = nil) throws -> CollectionConfig {
        CollectionConfig(name: "c", tableName: "c", schedule: try CronSchedule(parsing: "@hourly"),
                         read: .postgres(table: table, query: query, cursorField: cursorField, primaryKey: []))
    }

    /// Reads `collection` with a new driver, closed afterwards, and returns what was delivered.
    private func read(_ collection: CollectionConfig, after cursor: String? = nil, pageSize: Int = 100,
                      pageBytes: Int = 8 << 20) async throws -> [Page] {
        let settings = settings()
        return try await harness.onLoop { [harness] in
            let driver = PostgresSourceDriver(loop: harness.loop, settings: settings, pageBytes: pageBytes)
            var pages: [Page] = []
            do {
                try await driver.read(collection, after: cursor, pageSize: pageSize) { pages.append(Page(rows: $0.objects(), cursor: $1)) }
            } catch {
                await driver.close()
                throw error
            }
            await driver.close()
            return pages
        }
    }

    /// Runs `text` with psql.
    private func sql(_ text: String) async throws { _ = try await server.psql(text) }

    /// The test's tables go with its schema; 0 means the driver closed every handle.
    private func finish() async throws {
        try await sql("DROP SCHEMA \(schema) CASCADE")
        #expect(await harness.finish() == 0)
    }

    @Test func columnTypesBecomeJSONValues() async throws {
        try await sql("""
            CREATE TABLE \(schema).typed (small int2, whole int4, big int8, id oid, single float4, double float8, exact numeric,
                not_a_number float8, flag bool, doc json, docb jsonb, at timestamptz, local timestamp, day date, label text,
                tags int4[], blank text);
            INSERT INTO \(schema).typed VALUES (-2, 40, 1234567890123, 7, 1.5, 2.25, 12.50, 'NaN', false, '{"a": [1, "x", null]}',
                '{"b": {"c": true}}', '2024-05-06 07:08:09.123456+02', '2024-05-06 07:08:09.5', '2024-05-06', 'héllo', '{1,2}', NULL)
            """)
        let at = try await server.psql("SELECT at FROM \(schema).typed")
        let pages = try await read(try collection(table: "typed"))
        #expect(pages == [Page(rows: [[
            "small": .number(-2), "whole": .number(40), "big": .number(1_234_567_890_123), "id": .number(7), "single": .number(1.5),
            "double": .number(2.25), "exact": .number(12.5), "not_a_number": .string("NaN"), "flag": .bool(false),
            "doc": .object(["a": .array([.number(1), .string("x"), .null])]), "docb": .object(["b": .object(["c": .bool(true)])]),
            "at": .string(at.trimmingCharacters(in: .newlines)), "local": .string("2024-05-06 07:08:09.5"), "day": .string("2024-05-06"),
            "label": .string("héllo"), "tags": .string("{1,2}"), "blank": .null,
        ]], cursor: nil)])
        try await finish()
    }

    @Test func incrementalReadGivesEveryRowAfterTheCursorInCursorOrder() async throws {
        try await sql("""
            CREATE TABLE \(schema).orders (id int, version int);
            INSERT INTO \(schema).orders VALUES (1, 3), (2, 1), (3, 2), (4, 3), (5, NULL), (6, 2), (7, 5), (8, 3)
            """)
        let incremental = try collection(table: "orders", cursorField: "version")
        let all = try await read(incremental)
        #expect(all.count == 1)
        #expect(all.first?.rows.map { $0["version"]! } == [1, 2, 2, 3, 3, 3, 5].map { .number($0) } + [.null])
        // NULL sorts last and leaves the cursor where the last value put it.
        #expect(all.first?.cursor == "5")
        let after = try await read(incremental, after: "2")
        #expect(after.flatMap(\.rows).map { $0["version"]! } == [.number(3), .number(3), .number(3), .number(5)])
        #expect(Set(after.flatMap(\.rows).map { $0["id"]! }) == [.number(1), .number(4), .number(8), .number(7)])
        #expect(try await read(incremental, after: "5") == [])
        try await finish()
    }

    @Test func timestampCursorTextResumesExactly() async throws {
        try await sql("""
            CREATE TABLE \(schema).events (id int, at timestamptz);
            INSERT INTO \(schema).events VALUES (1, '2024-01-01 00:00:00.000001+00'), (2, '2024-01-01 00:00:00.000002+00')
            """)
        let incremental = try collection(table: "\(schema).events", cursorField: "at")
        let first = try await read(incremental, after: nil)
        let cursor = try #require(first.last?.cursor)
        try await sql("INSERT INTO \(schema).events VALUES (3, '2024-01-01 00:00:00.000002+00'::timestamptz + interval '1 microsecond')")
        let next = try await read(incremental, after: cursor)
        #expect(next.flatMap(\.rows).map { $0["id"]! } == [.number(3)])
        try await finish()
    }

    @Test func pagesHoldAtMostPageSizeAndEndBeforeAGroupOfEqualCursors() async throws {
        try await sql("""
            CREATE TABLE \(schema).items (id serial, version int);
            INSERT INTO \(schema).items (version) SELECT unnest(ARRAY[1, 1, 2, 2, 2, 3, 4, 4, 4, 4, 4, 5])
            """)
        let pages = try await read(try collection(table: "items", cursorField: "version"), pageSize: 3)
        #expect(pages.map { $0.rows.map { $0["version"]! } } == [[1, 1], [2, 2, 2], [3], [4, 4, 4], [4, 4, 5]].map { $0.map { .number($0) } })
        // The group of 4s is larger than a page: its first page keeps the cursor reached before it.
        #expect(pages.map(\.cursor) == ["1", "2", "3", "3", "5"])
        let full = try await read(try collection(table: "items"), pageSize: 5)
        #expect(full.map(\.rows.count) == [5, 5, 2])
        #expect(full.allSatisfy { $0.cursor == nil })
        #expect(Set(full.flatMap(\.rows).map { $0["id"]! }).count == 12)
        try await finish()
    }

    @Test func pagesEndBeforeTheirBytesWhateverTheirRowCount() async throws {
        // Rows of 100 text bytes (and a tab, an id and a newline): two fit in 250 bytes, but not in 200.
        try await sql("CREATE TABLE \(schema).wide (id int, body text); INSERT INTO \(schema).wide SELECT g, repeat('x', 100) FROM generate_series(1, 9) g")
        let pages = try await read(try collection(table: "wide", cursorField: "id"), pageSize: 4, pageBytes: 250)
        #expect(pages.map(\.rows.count) == [2, 2, 2, 2, 1])
        #expect(pages.map(\.cursor) == ["2", "4", "6", "8", "9"])
        // A row larger than the bound is a page of its own.
        #expect(try await read(try collection(table: "wide"), pageSize: 4, pageBytes: 10).map(\.rows.count) == Array(repeating: 1, count: 9))
        // Without the bound, `pageSize` rows.
        #expect(try await read(try collection(table: "wide"), pageSize: 4).map(\.rows.count) == [4, 4, 1])
        try await finish()
    }

    @Test func queryIsReadInFullAsWritten() async throws {
        try await sql("""
            CREATE TABLE \(schema).customers (id int, name text);
            INSERT INTO \(schema).customers VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')
            """)
        let query = try collection(query: "SELECT id, upper(name) AS name FROM \(schema).customers WHERE id > 1 ORDER BY id DESC ; \n")
        let pages = try await read(query, after: "ignored")
        #expect(pages == [Page(rows: [["id": .number(3), "name": .string("CY")], ["id": .number(2), "name": .string("BOB")]], cursor: nil)])
        try await finish()
    }

    @Test func deliverThrowingOrCancellingEndsTheTransactionAndTheNextReadWorks() async throws {
        struct Refused: Error {}
        try await sql("CREATE TABLE \(schema).t (id int); INSERT INTO \(schema).t SELECT generate_series(1, 10)")
        let collection = try collection(table: "t", cursorField: "id")
        let settings = settings()
        let outcome = try await harness.onLoop { [harness] in
            let driver = PostgresSourceDriver(loop: harness.loop, settings: settings)
            var calls = 0
            let thrown: (any Error)?
            do {
                try await driver.read(collection, after: nil, pageSize: 2) { _, _ in
                    calls += 1
                    throw Refused()
                }
                thrown = nil
            } catch {
                thrown = error
            }
            let (cancelled, cancelledCalls) = await Task(executorPreference: harness.loop) {
                var calls = 0
                do {
                    try await driver.read(collection, after: nil, pageSize: 2) { _, _ in
                        calls += 1
                        withUnsafeCurrentTask { $0?.cancel() }
                    }
                    return (nil as (any Error)?, calls)
                } catch {
                    return (error, calls)
                }
            }.value
            var rows: [JSONValue] = []
            try await driver.read(collection, after: "8", pageSize: 2) { page, _ in rows += page.objects().map { $0["id"]! } }
            await driver.close()
            return (thrown is Refused, calls, cancelled is CancellationError, cancelledCalls, rows)
        }
        #expect(outcome.0 && outcome.1 == 1)
        #expect(outcome.2 && outcome.3 == 1)
        // Had a transaction stayed open, this read's DECLARE would fail: its cursor would still exist.
        #expect(outcome.4 == [.number(9), .number(10)])
        try await finish()
    }

    @Test func unreachableServerRefusedLoginAndMissingTableGiveTheirReasons() async throws {
        let freePort = try ServiceProcess.freePort()
        let settings = [settings(port: freePort), settings(password: "wrong")]
        let collections = [try collection(table: "t"), try collection(table: "missing"), try collection(table: "t", cursorField: "nope")]
        let errors = try await harness.onLoop { [harness] in
            var errors: [SourceError] = []
            for (settings, collection) in [(settings[0], collections[0]), (settings[1], collections[0])] {
                let driver = PostgresSourceDriver(loop: harness.loop, settings: settings)
                do {
                    try await driver.read(collection, after: nil, pageSize: 10) { _, _ in }
                } catch let error as SourceError {
                    errors.append(error)
                }
                await driver.close()
            }
            return errors
        }
        #expect(errors.count == 2)
        guard case .unreachable(let refused) = errors.first else { Issue.record("expected unreachable, got \(errors)"); return }
        #expect(refused.contains("Connection refused"), "\(refused)")
        guard case .refused(let login) = errors.last else { Issue.record("expected refused, got \(errors)"); return }
        #expect(login.contains(#"password authentication failed for user "rivulet""#), "\(login)")
        try await sql("CREATE TABLE \(schema).t (id int)")
        await #expect(throws: SourceError.refused(#"relation "\#(schema).missing" does not exist"#)) { try await read(collections[1]) }
        await #expect(throws: SourceError.refused(#"column "nope" does not exist"#)) { try await read(collections[2]) }
        try await finish()
    }
}
