import NodeConfig
import Testing
import TestSupport
@testable import Pipeline

/// Against a real clickhouse-server 18.16 (Debian's package), started once per test process.
@Suite(.serialized) struct ClickHouseDestinationTests {
    let server: ClickHouseServer
    let testing: DestinationTesting

    init() throws {
        server = try ClickHouseServer.shared.get()
        testing = try DestinationTesting()
    }

    private func destination(database: String, dsn: String? = nil) async throws -> any Destination {
        try await testing.destination(type: "clickhouse", ["dsns": .array([.string(dsn ?? server.dsn(database: database))])])
    }

    @Test func rowsLandInColumnsOfTheirKinds() async throws {
        let database = DestinationTesting.unique("rv")
        let destination = try await destination(database: database)
        let outcome = try await testing.store(destination, table: "events", [
            #"{"_timestamp": "2026-11-23T10:00:00.123456789Z", "event_type": "<b>&\"q\"", "count": 3, "price": 1.5, "ok": true, "user": {"id": 7}, "tags": ["a", 1]}"#,
            #"{"_timestamp": "2026-11-23T10:00:01Z", "event_type": "view", "count": null}"#,
        ])
        #expect(outcome == .allStored)
        let types = try server.query("SELECT name, type FROM system.columns WHERE database = '\(database)' AND table = 'events' ORDER BY name FORMAT TSV")
        #expect(types == """
            _timestamp\tDateTime
            count\tNullable(Int64)
            event_type\tNullable(String)
            ok\tNullable(UInt8)
            price\tNullable(Float64)
            tags\tNullable(String)
            user_id\tNullable(Int64)

            """)
        let rows = try server.query("SELECT toUnixTimestamp(_timestamp), event_type, count, price, ok, user_id, tags FROM \(database).events ORDER BY _timestamp FORMAT TSV")
        #expect(rows == """
            1795428000\t<b>&"q"\t3\t1.5\t1\t7\t["a",1]
            1795428001\tview\t\\N\t\\N\t\\N\t\\N\t\\N

            """)
        #expect(try await testing.finish(destination))
    }

    @Test func newFieldsBecomeNewColumns() async throws {
        let database = DestinationTesting.unique("rv")
        let destination = try await destination(database: database)
        #expect(try await testing.store(destination, table: "events", [#"{"_timestamp": "2026-11-23T10:00:00Z", "a": "x"}"#]) == .allStored)
        #expect(try await testing.store(destination, table: "events", [#"{"_timestamp": "2026-11-23T10:00:01Z", "a": "y", "b": 2.5, "c": false}"#]) == .allStored)
        let rows = try server.query("SELECT a, b, c FROM \(database).events ORDER BY _timestamp FORMAT TSV")
        #expect(rows == "x\t\\N\t\\N\ny\t2.5\t0\n")
        #expect(try await testing.finish(destination))
    }

    @Test func valueThatDoesNotFitRejectsOnlyItsRow() async throws {
        let database = DestinationTesting.unique("rv")
        let destination = try await destination(database: database)
        #expect(try await testing.store(destination, table: "events", [#"{"_timestamp": "2026-11-23T10:00:00Z", "n": 1}"#]) == .allStored)
        let outcome = try await testing.store(destination, table: "events", [
            #"{"_timestamp": "2026-11-23T10:00:01Z", "n": 2}"#,
            #"{"_timestamp": "2026-11-23T10:00:02Z", "n": "abc"}"#,
            #"{"_timestamp": "not a time", "n": 4}"#,
            #"{"_timestamp": "2026-11-23T10:00:03Z", "n": 5}"#,
        ])
        guard case .stored(let rejected) = outcome else { Issue.record("expected stored, got \(outcome)"); return }
        #expect(rejected.keys.sorted() == [1, 2])
        #expect(rejected[1]?.contains("column n is Nullable(Int64)") == true)
        #expect(try server.query("SELECT n FROM \(database).events ORDER BY _timestamp FORMAT TSV") == "1\n2\n5\n")
        #expect(try await testing.finish(destination))
    }

    @Test func valueClickHouseRefusesRejectsOnlyItsRow() async throws {
        let database = DestinationTesting.unique("rv")
        _ = try server.query("CREATE DATABASE \(database)")
        // rivulet checks that a FixedString(2) column gets text, not its length: only ClickHouse refuses "ghi", and
        // halving finds the row.
        _ = try server.query("CREATE TABLE \(database).codes (_timestamp DateTime, code FixedString(2)) ENGINE = MergeTree() ORDER BY _timestamp")
        let destination = try await destination(database: database)
        let codes = ["ab", "cd", "ef", "ghi", "ij"]
        let outcome = try await testing.store(destination, table: "codes", codes.enumerated().map { index, code in
            #"{"_timestamp": "2026-11-23T10:00:0\#(index)Z", "code": "\#(code)"}"#
        })
        guard case .stored(let rejected) = outcome else { Issue.record("expected stored, got \(outcome)"); return }
        #expect(rejected.keys.sorted() == [3])
        #expect(rejected[3]?.contains("Too large value for FixedString(2)") == true)
        #expect(try server.query("SELECT code FROM \(database).codes ORDER BY _timestamp FORMAT TSV") == "ab\ncd\nef\nij\n")
        #expect(try await testing.finish(destination))
    }

    @Test func stoppedServerIsUnreachableThenStoredAfterRestart() async throws {
        let own = try ClickHouseServer()
        defer { own.stop() }
        let destination = try await testing.destination(type: "clickhouse", ["dsns": .string(own.dsn(database: "rv"))])
        let event = #"{"_timestamp": "2026-11-23T10:00:00Z", "a": "x"}"#
        #expect(try await testing.store(destination, table: "events", [event]) == .allStored)
        own.stop()
        let outcome = try await testing.store(destination, table: "events", [event])
        guard case .unreachable(let reason) = outcome else { Issue.record("expected unreachable, got \(outcome)"); return }
        #expect(reason.contains("ECONNREFUSED"))
        try own.restart()
        #expect(try await testing.store(destination, table: "events", [event]) == .allStored)
        #expect(try own.query("SELECT count() FROM rv.events") == "2\n")
        #expect(try await testing.finish(destination))
    }

    @Test func testConnectionCreatesWritesAndDropsATable() async throws {
        let database = DestinationTesting.unique("rv")
        let destination = try await destination(database: database)
        #expect(try await testing.testConnection(destination) == nil)
        #expect(try server.query("SELECT count() FROM system.tables WHERE database = '\(database)'") == "0\n")
        #expect(try server.query("SELECT count() FROM system.databases WHERE name = '\(database)'") == "1\n")
        #expect(try await testing.finish(destination))
    }

    @Test func testConnectionNamesTheCause() async throws {
        let refused = try ServiceProcess.freePort()
        let causes = [
            (server.dsn(database: "rv", password: "wrong"), "Wrong password for user writer"),
            ("http://writer:secret@127.0.0.1:\(refused)/rv", "ECONNREFUSED"),
            ("http://writer:secret@no-such-host.invalid:8123/rv", "cannot resolve no-such-host.invalid"),
        ]
        for (dsn, expected) in causes {
            let destination = try await destination(database: "rv", dsn: dsn)
            let cause = try await testing.testConnection(destination)
            #expect(cause?.contains(expected) == true, "\(dsn): \(cause ?? "passed")")
        }
        let clustered = try await testing.destination(type: "clickhouse", ["dsns": .string(server.dsn(database: "rv")), "cluster": .string("nowhere")])
        #expect(try await testing.testConnection(clustered)?.contains("Requested cluster 'nowhere' not found") == true)
        #expect(await testing.harness.finish() == 0)
    }

    @Test func wrongPasswordRejectsEveryRowWithClickHousesMessage() async throws {
        let destination = try await destination(database: "rv", dsn: server.dsn(database: "rv", password: "wrong"))
        let outcome = try await testing.store(destination, table: "events", [#"{"a": 1}"#, #"{"a": 2}"#])
        guard case .stored(let rejected) = outcome else { Issue.record("expected stored, got \(outcome)"); return }
        #expect(rejected.keys.sorted() == [0, 1])
        #expect(rejected[0]?.contains("Wrong password") == true)
        #expect(try await testing.finish(destination))
    }

    @Test func configurationIsReadStrictly() throws {
        let config = try DestinationTesting.config(type: "clickhouse", [
            "dsns": .array([.string("http://u:p%40ss@ch1:8124/analytics?max_insert_block_size=1000&read_timeout=5m")]),
            "cluster": .string("c1"),
        ])
        guard case .clickhouse(let settings) = config.settings else { Issue.record("not clickhouse"); return }
        #expect(settings.database == "analytics")
        #expect(settings.cluster == "c1")
        #expect(settings.endpoints[0].host == "ch1" && settings.endpoints[0].port == 8124)
        #expect(settings.endpoints[0].user == "u" && settings.endpoints[0].password == "p@ss")
        #expect(settings.endpoints[0].parameters.map(\.name) == ["max_insert_block_size"])
        #expect(throws: ConfigError.self) { try DestinationTesting.config(type: "clickhouse", ["dsns": .string("https://ch1:8443")]) }
        #expect(throws: ConfigError.self) { try DestinationTesting.config(type: "clickhouse", ["dsns": .string("http://ch1"), "tls": .bool(true)]) }
        #expect(throws: ConfigError.self) { try DestinationTesting.config(type: "clickhouse", [:]) }
    }
}
