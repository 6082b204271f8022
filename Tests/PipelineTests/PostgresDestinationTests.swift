import Foundation
import NodeConfig
import Testing
import Templates
import TestSupport
@testable import Pipeline

@Suite struct PostgresDestinationTests {
    @Test func rowsLandInTheirTableWithColumnsTypedByTheFirstValue() async throws {
        let fixture = try await PostgresFixture()
        let note = "tab\there, line\nbreak, return\r, back\\slash, \\N and quote \" and ünïcödé"
        let outcome = try await fixture.store(batch("Page \"Views\"", [
            ["id": .string("a"), "n": .number(7), "f": .number(2.5), "ok": .bool(true),
             "_timestamp": .string("2026-11-23T10:00:00.123456789Z"), "note": .string(note), "tags": .string(#"["x",1]"#), "gone": .null],
            ["id": .string("b"), "n": .number(-9_000_000_000), "f": .number(3), "ok": .bool(false),
             "_timestamp": .string("2026-11-23 12:00:00+02:00"), "note": .string("")],
        ]))
        #expect(outcome == .allStored)
        #expect(try await fixture.columnTypes("Page \"Views\"") == [
            "id": "text", "n": "bigint", "f": "double precision", "ok": "boolean",
            "_timestamp": "timestamp with time zone", "note": "text", "tags": "text",
        ])
        let table = #""\#(fixture.schema)"."Page ""Views""""#
        let rows = try await fixture.query("""
            SET TIME ZONE 'UTC';
            SELECT id, n, f, ok, to_char(_timestamp, 'YYYY-MM-DD HH24:MI:SS.US'), note, tags FROM \(table) ORDER BY id
            """)
        #expect(rows == [
            ["a", "7", "2.5", "t", "2026-11-23 10:00:00.123457", note, #"["x",1]"#],
            ["b", "-9000000000", "3", "f", "2026-11-23 10:00:00.000000", "", nil],
        ])
        #expect(await fixture.finish() == 0)
    }

    @Test func aNewFieldAddsAColumnAlsoAfterARestart() async throws {
        let fixture = try await PostgresFixture()
        #expect(try await fixture.store(batch("events", [["a": .number(1)]])) == .allStored)
        // A new destination knows nothing of the table: it reads the columns from the server first.
        #expect(try await fixture.store(batch("events", [["a": .number(2), "b": .string("x"), "c": .bool(true)]])) == .allStored)
        #expect(try await fixture.columnTypes("events") == ["a": "bigint", "b": "text", "c": "boolean"])
        let rows = try await fixture.query(#"SELECT a, b, c FROM "\#(fixture.schema)".events ORDER BY a"#)
        #expect(rows == [["1", nil, nil], ["2", "x", "t"]])
        #expect(await fixture.finish() == 0)
    }

    @Test func aTableDroppedBySomeoneElseIsCreatedAgain() async throws {
        let fixture = try await PostgresFixture()
        let destination = try fixture.destination()
        let first = try await fixture.harness.onLoop { await destination.store(batch("events", [["n": .number(1)]])) }
        #expect(first == .allStored)
        // The destination's cache still lists the table's columns: the COPY fails, and the retry creates it.
        _ = try await fixture.query(#"DROP TABLE "\#(fixture.schema)".events"#)
        let second = try await fixture.harness.onLoop {
            let outcome = await destination.store(batch("events", [["n": .number(2)]]))
            await destination.close()
            return outcome
        }
        #expect(second == .allStored)
        #expect(try await fixture.query(#"SELECT n FROM "\#(fixture.schema)".events"#) == [["2"]])
        #expect(await fixture.finish() == 0)
    }

    @Test func aLargeBatchStreamsThroughOneCopyInChunks() async throws {
        let fixture = try await PostgresFixture()
        let count = 40_000
        let padding = String(repeating: "x", count: 100)
        let rows: [[String: JSONValue]] = (0..<count).map { ["n": .number(Double($0)), "pad": .string(padding)] }
        #expect(try await fixture.store(batch("events", rows)) == .allStored)
        let totals = try await fixture.query(#"SELECT count(*), sum(n), min(length(pad)) FROM "\#(fixture.schema)".events"#)
        #expect(totals == [[String(count), String(count * (count - 1) / 2), "100"]])
        #expect(await fixture.finish() == 0)
    }

    /// Encoded ahead or not, as the runner and replays give batches with the destination's draft: the draft has a
    /// string in the bigint column, so it is planned again with the table's columns.
    @Test(arguments: [false, true])
    func aValueThatDoesNotFitRejectsOnlyItsRow(encodedAhead: Bool) async throws {
        let fixture = try await PostgresFixture()
        // `small` is a 4-byte integer made by someone else: only the server knows 2^40 does not fit.
        _ = try await fixture.query(#"CREATE SCHEMA "\#(fixture.schema)"; CREATE TABLE "\#(fixture.schema)".events (n bigint, small integer)"#)
        var events = batch("events", [
            ["n": .number(1)],
            ["n": .string("abc")],
            ["n": .number(2), "small": .number(1_099_511_627_776)],
            ["n": .number(3), "s": .string("nul \u{0} byte")],
            ["n": .number(4), "small": .number(5)],
        ])
        if encodedAhead { events.encoding = try fixture.destination().encoder?(events) }
        let outcome = try await fixture.store(events)
        guard case .stored(let rejected) = outcome else { Issue.record("not stored: \(outcome)"); return }
        #expect(rejected.keys.sorted() == [1, 2, 3])
        #expect(rejected[1] == #"value "abc" does not fit column n of type bigint"#)
        #expect(rejected[2]?.contains("out of range") == true)
        #expect(rejected[3]?.contains("0x00") == true)
        let rows = try await fixture.query(#"SELECT n, small FROM "\#(fixture.schema)".events ORDER BY n"#)
        #expect(rows == [["1", nil], ["4", "5"]])
        #expect(await fixture.finish() == 0)
    }

    @Test func aDraftTheTableTakesIsSentWholeAndARowTheServerRefusesIsStillFoundAlone() async throws {
        let fixture = try await PostgresFixture()
        _ = try await fixture.query(#"CREATE SCHEMA "\#(fixture.schema)"; CREATE TABLE "\#(fixture.schema)".events (n double precision, small integer, at timestamptz)"#)
        var rows = batch("events", [
            ["n": .number(1), "at": .string("2026-11-23T10:00:00Z")],
            ["n": .number(2.5), "small": .number(1_099_511_627_776)],
            ["n": .number(3), "small": .number(5), "new": .bool(true)],
        ])
        let draft = try #require(try fixture.destination().encoder?(rows) as? PostgresCopyPlan.Draft)
        // Integers in a float column, timestamps in a timestamp column: the table takes every value of the draft.
        #expect(draft.fits(["n": PostgresColumn(type: "double precision"), "small": PostgresColumn(type: "integer"),
                            "at": PostgresColumn(type: "timestamp with time zone")]))
        #expect(!draft.fits(["n": PostgresColumn(type: "bigint")]))
        #expect(draft.fits(["at": PostgresColumn(type: "date"), "n": PostgresColumn(type: "text")]))
        #expect(!draft.fits(["new": PostgresColumn(type: "timestamp with time zone")]))
        rows.encoding = draft
        guard case .stored(let rejected) = try await fixture.store(rows) else { Issue.record("not stored"); return }
        #expect(rejected.keys.sorted() == [1])
        #expect(rejected[1]?.contains("out of range") == true)
        let stored = try await fixture.query(#"SELECT n, small, new FROM "\#(fixture.schema)".events ORDER BY n"#)
        #expect(stored == [["1", nil, nil], ["3", "5", "t"]])
        #expect(await fixture.finish() == 0)
    }

    @Test func rowsWithAnUpsertKeyReplaceTheRowsTheyMatchAndABadOneIsRejectedAlone() async throws {
        let fixture = try await PostgresFixture()
        func keyed(_ rows: [[String: JSONValue]]) -> TableBatch {
            var keyed = batch("orders", rows)
            keyed.upsertKey = ["ID"]  // a source's primary key as written; the column is its flattened name
            return keyed
        }
        #expect(try await fixture.store(keyed([["id": .number(1), "item": .string("a")], ["id": .number(2), "item": .string("b")]])) == .allStored)
        // Key 2 twice in one batch: the later row wins. Key 3 is new. "x" does not fit the bigint column `id`.
        let outcome = try await fixture.store(keyed([
            ["id": .number(2), "item": .string("b1")], ["id": .number(3), "item": .string("c")],
            ["id": .number(2), "item": .string("b2")], ["id": .string("x"), "item": .string("bad")],
        ]))
        guard case .stored(let rejected) = outcome else { Issue.record("\(outcome)"); return }
        #expect(Array(rejected.keys) == [3])
        #expect(try await fixture.query("SELECT id, item FROM \(fixture.schema).orders ORDER BY id") == [["1", "a"], ["2", "b2"], ["3", "c"]])
        // Rows without a key value are all kept: they cannot match a row.
        #expect(try await fixture.store(keyed([["item": .string("n1")], ["item": .string("n2")], ["id": .null, "item": .string("n3")]])) == .allStored)
        #expect(try await fixture.query("SELECT count(*) FROM \(fixture.schema).orders WHERE id IS NULL") == [["3"]])
        // Without the key, rows are appended as before.
        #expect(try await fixture.store(batch("orders", [["id": .number(4), "item": .string("d")]])) == .allStored)
        #expect(try await fixture.query("SELECT count(*) FROM \(fixture.schema).orders") == [["7"]])
        #expect(await fixture.finish() == 0)
    }

    @Test func aStoppedServerIsUnreachableAndTheSameBatchStoresAfterItsRestart() async throws {
        let server = try await PostgresServer.start()
        let fixture = try await PostgresFixture(server: server)
        let destination = try fixture.destination()
        let second = batch("events", [["n": .number(2)], ["n": .number(3)]])
        let first = try await fixture.harness.onLoop { await destination.store(batch("events", [["n": .number(1)]])) }
        #expect(first == .allStored)
        try await server.stop()
        let whileDown = try await fixture.harness.onLoop { await destination.store(second) }
        guard case .unreachable(let reason) = whileDown else { Issue.record("expected unreachable, got \(whileDown)"); return }
        #expect(!reason.isEmpty)
        let stillDown = try await fixture.harness.onLoop { await destination.store(second) }
        #expect(stillDown != .allStored)
        try await server.restart()
        let afterRestart = try await fixture.harness.onLoop {
            let outcome = await destination.store(second)
            await destination.close()
            return outcome
        }
        #expect(afterRestart == .allStored, "server log: \(server.log)")
        let rows = try await fixture.query(#"SELECT n FROM "\#(fixture.schema)".events ORDER BY n"#)
        #expect(rows == [["1"], ["2"], ["3"]])
        try await server.stop()
        #expect(await fixture.finish() == 0)
    }

    @Test func testConnectionWritesAndLeavesNothingBehind() async throws {
        let fixture = try await PostgresFixture()
        let destination = try fixture.destination()
        try await fixture.harness.onLoop { try await destination.testConnection() }
        // The schema was created for the probe table, which is gone.
        let found = try await fixture.query("""
            SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = '\(fixture.schema)'),
                   (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON c.relnamespace = n.oid WHERE n.nspname = '\(fixture.schema)')
            """)
        #expect(found == [["1", "0"]])
        #expect(await fixture.finish() == 0)
    }

    @Test func aWrongPasswordFailsTheTestAndRejectsStoredRowsWithTheServersWords() async throws {
        let fixture = try await PostgresFixture()
        let cause = try await testFailure(fixture, ["password": .string("wrong")])
        #expect(cause.contains(#"password authentication failed for user "rivulet""#), "\(cause)")
        let outcome = try await fixture.store(batch("events", [["n": .number(1)], ["n": .number(2)]]), changes: ["password": .string("wrong")])
        guard case .stored(let rejected) = outcome else { Issue.record("not stored: \(outcome)"); return }
        #expect(rejected.count == 2)
        #expect(rejected[0]?.contains("password authentication failed") == true)
        #expect(await fixture.finish() == 0)
    }

    @Test func anUnknownDatabaseFailsTheTest() async throws {
        let fixture = try await PostgresFixture()
        let cause = try await testFailure(fixture, ["db": .string("no_such_database")])
        #expect(cause.contains(#"database "no_such_database" does not exist"#), "\(cause)")
        #expect(await fixture.finish() == 0)
    }

    @Test func anUnknownHostFailsTheTestAndIsUnreachableForStores() async throws {
        let fixture = try await PostgresFixture()
        let cause = try await testFailure(fixture, ["host": .string("no-such-host.invalid")])
        #expect(cause.contains(#"could not resolve host "no-such-host.invalid""#), "\(cause)")
        let outcome = try await fixture.store(batch("events", [["n": .number(1)]]), changes: ["host": .string("no-such-host.invalid")])
        #expect(outcome == .unreachable(cause))
        #expect(await fixture.finish() == 0)
    }

    @Test func aRefusedPortFailsTheTest() async throws {
        let fixture = try await PostgresFixture()
        let cause = try await testFailure(fixture, ["port": .int(try ServiceProcess.freePort())])
        #expect(cause.contains("Connection refused"), "\(cause)")
        #expect(await fixture.finish() == 0)
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let fixture = try await PostgresFixture()
        // A listening socket nobody accepts from: the kernel completes the handshake, and the startup packet
        // is never answered.
        let listener = try IdleListener(backlog: 4)
        let started = Date()
        let cause = try await testFailure(fixture, ["port": .int(listener.port),
                                                    "parameters": .map(["connect_timeout": .int(1)])])
        #expect(cause.contains("timed out after 1 s"), "\(cause)")
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(await fixture.finish() == 0)
    }

    /// The cause `testConnection` throws with `changes` to the datasource.
    private func testFailure(_ fixture: PostgresFixture, _ changes: [String: ConfigValue]) async throws -> String {
        let destination = try fixture.destination(changes)
        return try await fixture.harness.onLoop {
            do {
                try await destination.testConnection()
                return "no failure"
            } catch let failure as DestinationFailure {
                return failure.cause
            }
        }
    }

    @Test func rowsKeepingOnlyTheirTextAreWrittenFromItAndFlattenedWhenTheTableRefusesAValue() async throws {
        let fixture = try await PostgresFixture()
        _ = try await fixture.query(#"CREATE SCHEMA "\#(fixture.schema)"; CREATE TABLE "\#(fixture.schema)".events (n bigint)"#)
        let texts = [#"{"eventn_ctx_event_id":"a","n":1,"user":{"name":"x\ty"}}"#, #"{"eventn_ctx_event_id":"b","n":"abc"}"#,
                     #"{"eventn_ctx_event_id":"c","n":2,"tags":["p","q"]}"#]
        var events = TableBatch(table: "events", rows: texts.map { Row(eventJSON: Array($0.utf8)[...]) })
        events.encoding = try fixture.destination().encoder?(events)
        #expect(events.rows.map(\.eventID) == ["a", "b", "c"])
        // The draft does not fit (text for a bigint column): the rows are flattened and checked value by value.
        guard case .stored(let rejected) = try await fixture.store(events) else { Issue.record("not stored"); return }
        #expect(rejected == [1: #"value "abc" does not fit column n of type bigint"#])
        let rows = try await fixture.query(#"SELECT n, user_name, tags FROM "\#(fixture.schema)".events ORDER BY n"#)
        #expect(rows == [["1", "x\ty", nil], ["2", nil, #"["p","q"]"#]])
        // A draft that fits goes as it was written.
        var more = TableBatch(table: "events", rows: [Row(eventJSON: Array(#"{"n":3,"user":{"name":"z"}}"#.utf8)[...])])
        more.encoding = try fixture.destination().encoder?(more)
        #expect(try await fixture.store(more) == .allStored)
        #expect(try await fixture.query(#"SELECT user_name FROM "\#(fixture.schema)".events WHERE n = 3"#) == [["z"]])
        #expect(await fixture.finish() == 0)
    }

    @Test func batchesDeferringDurabilityAreMadeDurableAtOnceOrReportedWhenTheirConnectionBroke() async throws {
        let fixture = try await PostgresFixture()
        let destination = try fixture.destination()
        @Sendable func deferred(_ n: Int) -> TableBatch {
            var events = batch("events", [["n": .number(Double(n))]])
            events.defersDurability = true
            return events
        }
        func onLoop(_ work: @escaping @Sendable () async -> StoreOutcome) async throws -> StoreOutcome {
            try await fixture.harness.onLoop { await work() }
        }
        func breakConnection() async throws {
            let killed = try await fixture.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                + #"AND query LIKE '%"\#(fixture.schema)"%'"#)
            #expect(killed == [["t"]])
        }
        #expect(try await onLoop { await destination.makeDurable() } == .allStored)
        #expect(try await onLoop { await destination.store(deferred(1)) } == .allStored)
        #expect(try await onLoop { await destination.store(deferred(2)) } == .allStored)
        #expect(try await onLoop { await destination.makeDurable() } == .allStored)
        // The connection that committed without waiting is gone: whether its rows survived is not known.
        #expect(try await onLoop { await destination.store(deferred(3)) } == .allStored)
        try await breakConnection()
        guard case .unreachable = try await onLoop({ await destination.makeDurable() }) else { Issue.record("a lost flush was confirmed"); return }
        #expect(try await onLoop { await destination.makeDurable() } == .allStored)
        // Likewise when a new connection took over before the durable point.
        #expect(try await onLoop { await destination.store(deferred(4)) } == .allStored)
        try await breakConnection()
        guard case .unreachable = try await onLoop({ await destination.store(deferred(5)) }) else { Issue.record("stored on a dead connection"); return }
        #expect(try await onLoop { await destination.store(deferred(5)) } == .allStored)
        guard case .unreachable = try await onLoop({ await destination.makeDurable() }) else { Issue.record("a lost flush was confirmed"); return }
        // Stored without deferring: durable as it is answered, whatever came before.
        #expect(try await onLoop { await destination.store(batch("events", [["n": .number(6)]])) } == .allStored)
        #expect(try await onLoop { await destination.makeDurable() } == .allStored)
        _ = try await onLoop { await destination.close(); return .allStored }
        let rows = try await fixture.query(#"SELECT n FROM "\#(fixture.schema)".events ORDER BY n"#)
        #expect(rows == [["1"], ["2"], ["3"], ["4"], ["5"], ["6"]])
        #expect(await fixture.finish() == 0)
    }
}
