import Foundation
import HTTP
import Logging
import Loop
import NodeConfig
import Templates
import Testing
import TestSupport
@testable import Pipeline

/// The whole data plane on a loop: events accepted into the log reach their destinations through the runners, with
/// skips, fallback lines, retries and restarts, against real files and a real PostgreSQL.
@Suite struct EventPipelineTests {
    private func fileDestination(_ id: String, table: String, path: String? = nil, mode: String = "stream") throws -> DestinationConfig {
        var entry: [String: ConfigValue] = ["type": .string("file"), "mode": .string(mode),
                                            "data_layout": .map(["table_name_template": .string(table)])]
        if mode == "batch" { entry["batch_period_sec"] = .int(1) }
        if let path { entry["file"] = .map(["path": .string(path)]) }
        return try DestinationConfig(id: id, value: .map(entry), path: "destinations.\(id)")
    }

    /// Destination `pg` writing into `schema` of `server`, with `table` as its table name template (the default: nil).
    private func postgresDestination(_ server: PostgresServer, schema: String, table: String?) throws -> DestinationConfig {
        let datasource: ConfigValue = .map([
            "host": .string("127.0.0.1"), "port": .int(server.port), "db": .string(PostgresServer.database), "schema": .string(schema),
            "username": .string(PostgresServer.user), "password": .string(PostgresServer.password),
        ])
        var entry: [String: ConfigValue] = ["type": .string("postgres"), "datasource": datasource]
        if let table { entry["data_layout"] = .map(["table_name_template": .string(table)]) }
        return try DestinationConfig(id: "pg", value: .map(entry), path: "destinations.pg")
    }

    /// What the PostgreSQL tests start from: the shared server, a pipeline fixture with its destination context, and
    /// a schema of their own.
    private func postgresSetup() async throws -> (PostgresServer, PipelineFixture, DestinationContext, String) {
        let fixture = try PipelineFixture()
        return (try await PostgresServer.shared.value, fixture, fixture.context(http: HTTPClient(loop: fixture.loop)),
                "pipeline_\(UInt32.random(in: 0...UInt32.max))")
    }

    /// Closes `pipeline` and its loop, then reads what landed through a connection of the test's own.
    private func close(_ pipeline: EventPipeline, _ fixture: PipelineFixture, _ context: DestinationContext, thenQuery sql: String,
                       on server: PostgresServer) async throws -> [[String?]] {
        try await fixture.harness.onLoop {
            await pipeline.close()
            context.http.shutdown()
        }
        #expect(await fixture.finish() == 0)
        let check = try await PostgresFixture(server: server)
        let rows = try await check.query(sql)
        #expect(await check.finish() == 0)
        return rows
    }

    private func settings(_ fixture: PipelineFixture, _ destinations: [DestinationConfig], keys: [APIKey] = []) -> EventPipeline.Settings {
        EventPipeline.Settings(nodeName: "n1", dataDirectory: fixture.directory, destinations: destinations, apiKeys: APIKeys(keys),
                               fallbackRotation: .seconds(300), intake: EventIntake(maxEventSize: 51_200, trustProxy: false))
    }

    private func event(_ fields: [String: JSONValue], id: String) -> [String: JSONValue] {
        fields.merging(["eventn_ctx_event_id": .string(id), "_timestamp": .string("2026-11-23T10:00:00.000000000Z")]) { $1 }
    }

    /// Polls until `condition` holds or `seconds` pass.
    private func eventually(within seconds: Int = 10, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        for _ in 0..<(seconds * 20) {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test func eventsReachTheirTablesSkipsAndTemplateErrorsAreCountedAndRestartsResume() async throws {
        let fixture = try PipelineFixture()
        let loop = fixture.loop
        let context = fixture.context(http: HTTPClient(loop: loop))
        // `index .tags 1` fails for an event with one tag: that event goes to fallback with Go's error.
        let destinations = [try fileDestination("local", table: "{{.event_type}}_{{index .tags 1}}")]
        let events = [
            event(["event_type": .string("page"), "tags": .array([.string("a"), .string("x")])], id: "1"),
            event(["event_type": .string("click"), "tags": .array([.string("a"), .string("y")])], id: "2"),
            event(["event_type": .string("short"), "tags": .array([.string("a")])], id: "3"),
            event(["event_type": .string("page"), "tags": .array([.string("b"), .string("x")])], id: "4"),
        ]
        let pipeline = try await fixture.harness.onLoop {
            let pipeline = try await EventPipeline.start(settings: self.settings(fixture, destinations), context: context)
            try await pipeline.accept(events)
            return pipeline
        }
        let files = fixture.directory + "/files/local"
        #expect(try await eventually { (try? PipelineFixture.lines(of: files + "/page_x.jsonl").count) == 2 })
        // Each table's batch is its own write, so click_y's may land after page_x's.
        #expect(try await eventually { (try? PipelineFixture.lines(of: files + "/click_y.jsonl").count) == 1 })
        #expect(try PipelineFixture.lines(of: files + "/click_y.jsonl").map { $0["eventn_ctx_event_id"] } == [.string("2")])
        let fallback = fixture.directory + "/fallback/n1-errors-local.log"
        #expect(try await eventually { (try? PipelineFixture.lines(of: fallback).count) == 1 })
        let line = try #require(try PipelineFixture.lines(of: fallback).first)
        #expect(line["event_id"] == .string("3"))
        #expect(line["error"]?.stringValue?.contains("index out of range") == true)
        #expect(try await eventually { pipeline.runners["local"]?.committedOffset == 4 })

        // Closed and opened again: the offset holds, so only the new event is delivered.
        try await fixture.harness.onLoop { await pipeline.close() }
        let reopened = try await fixture.harness.onLoop {
            let pipeline = try await EventPipeline.start(settings: self.settings(fixture, destinations), context: context)
            try await pipeline.accept([self.event(["event_type": .string("page"), "tags": .array([.string("c"), .string("x")])], id: "5")])
            return pipeline
        }
        #expect(try await eventually { (try? PipelineFixture.lines(of: files + "/page_x.jsonl").count) == 3 })
        try await Task.sleep(for: .milliseconds(200))
        #expect(try PipelineFixture.lines(of: files + "/page_x.jsonl").map { $0["eventn_ctx_event_id"] } == [.string("1"), .string("4"), .string("5")])
        try await fixture.harness.onLoop {
            await reopened.close()
            context.http.shutdown()
        }
        #expect(await fixture.finish() == 0)
    }

    /// How many pages of the file at `path` are in the page cache (mincore); nil on tmpfs, whose pages are the
    /// files themselves and cannot be dropped.
    static func cachedPages(of path: String) throws -> Int? {
        // The file system of the longest mount point above `path` (fields 5 and 9 of mountinfo, the latter after " - ").
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).split(separator: "\n").compactMap { line -> (String, String)? in
            let fields = line.split(separator: " ")
            guard fields.count > 4, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { return nil }
            return (String(fields[4]), String(fields[dash + 1]))
        }
        let mount = mounts.filter { path.hasPrefix($0.0 == "/" ? "/" : $0.0 + "/") }.max { $0.0.count < $1.0.count }
        if mount?.1 == "tmpfs" { return nil }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FileError(operation: "open \(path)") }
        defer { Glibc.close(fd) }
        let size = Int(lseek(fd, 0, SEEK_END))
        guard size > 0, let map = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), map != MAP_FAILED else { return 0 }
        defer { munmap(map, size) }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var vector = [UInt8](repeating: 0, count: (size + pageSize - 1) / pageSize)
        guard mincore(map, size, &vector) == 0 else { throw FileError(operation: "mincore \(path)") }
        return vector.filter { $0 & 1 != 0 }.count
    }

    @Test func emptyTableNamesSkipAndKeysRouteToTheirDestinations() async throws {
        let fixture = try PipelineFixture()
        let loop = fixture.loop
        let context = fixture.context(http: HTTPClient(loop: loop))
        let destinations = [try fileDestination("a", table: "{{.table}}"), try fileDestination("b", table: "all")]
        let keys = [APIKey(id: "only-a", clientSecret: "c", serverSecret: nil, origins: [], destinations: ["a"]),
                    APIKey(id: "both", clientSecret: "d", serverSecret: nil, origins: [], destinations: nil)]
        let events = [
            event(["table": .string("t"), "api_key": .string("only-a")], id: "1"),
            event(["table": .string(""), "api_key": .string("both")], id: "2"),
            event(["table": .string("null"), "api_key": .string("both")], id: "3"),
            event(["table": .string("t"), "api_key": .string("both")], id: "4"),
        ]
        let pipeline = try await fixture.harness.onLoop {
            let pipeline = try await EventPipeline.start(settings: self.settings(fixture, destinations, keys: keys), context: context)
            try await pipeline.accept(events)
            return pipeline
        }
        #expect(try await eventually { pipeline.runners["a"]?.committedOffset == 4 && pipeline.runners["b"]?.committedOffset == 4 })
        #expect(try Self.cachedPages(of: fixture.directory + "/files/b/all.jsonl") ?? 0 == 0, "synced files leave the page cache (until read)")
        let ids = { (path: String) in try PipelineFixture.lines(of: fixture.directory + path).compactMap { $0["eventn_ctx_event_id"]?.stringValue } }
        #expect(try ids("/files/a/t.jsonl") == ["1", "4"])
        #expect(try ids("/files/b/all.jsonl") == ["2", "3", "4"])
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/fallback/n1-errors-a.log"))
        try await fixture.harness.onLoop {
            await pipeline.close()
            context.http.shutdown()
        }
        #expect(await fixture.finish() == 0)
    }

    @Test func anUnreachableDestinationKeepsItsEventsUntilItRecovers() async throws {
        let fixture = try PipelineFixture()
        let loop = fixture.loop
        let context = fixture.context(http: HTTPClient(loop: loop))
        // A regular file where the destination's directory should be: every write fails until it is removed.
        let blocker = fixture.directory + "/blocked"
        _ = FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8))
        let destinations = [try fileDestination("local", table: "events", path: blocker + "/out", mode: "batch")]
        let pipeline = try await fixture.harness.onLoop {
            let pipeline = try await EventPipeline.start(settings: self.settings(fixture, destinations), context: context)
            try await pipeline.accept((0..<50).map { self.event(["n": .number(Double($0))], id: "\($0)") })
            return pipeline
        }
        try await Task.sleep(for: .milliseconds(1_800))
        #expect(pipeline.runners["local"]?.committedOffset == 0, "nothing is committed while the destination fails")
        #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/fallback/n1-errors-local.log"), "connection-like errors never go to fallback")
        try FileManager.default.removeItem(atPath: blocker)
        #expect(try await eventually { (try? PipelineFixture.lines(of: blocker + "/out/events.jsonl").count) == 50 })
        #expect(try await eventually { pipeline.runners["local"]?.committedOffset == 50 })
        try await fixture.harness.onLoop {
            await pipeline.close()
            context.http.shutdown()
        }
        #expect(await fixture.finish() == 0)
    }

    @Test func aValueThatDoesNotFitItsPostgresColumnGoesToFallbackAlone() async throws {
        let (server, fixture, context, schema) = try await postgresSetup()
        let destinations = [try postgresDestination(server, schema: schema, table: "{{.event_type}}")]
        let pipeline = try await fixture.harness.onLoop {
            let pipeline = try await EventPipeline.start(settings: self.settings(fixture, destinations), context: context)
            try await pipeline.accept([self.event(["event_type": .string("orders"), "amount": .number(5), "user": .object(["id": .string("u1")])], id: "1")])
            return pipeline
        }
        #expect(try await eventually { pipeline.runners["pg"]?.committedOffset == 1 })
        try await fixture.harness.onLoop {
            try await pipeline.accept([
                self.event(["event_type": .string("orders"), "amount": .string("lots")], id: "2"),
                self.event(["event_type": .string("orders"), "amount": .number(7), "coupon": .bool(true)], id: "3"),
            ])
        }
        #expect(try await eventually { pipeline.runners["pg"]?.committedOffset == 3 })
        let fallback = try PipelineFixture.lines(of: fixture.directory + "/fallback/n1-errors-pg.log")
        #expect(fallback.map { $0["event_id"] } == [.string("2")])
        let rows = try await close(pipeline, fixture, context, thenQuery: "SELECT eventn_ctx_event_id, amount, user_id, coupon FROM \"\(schema)\".orders ORDER BY eventn_ctx_event_id", on: server)
        #expect(rows == [["1", "5", "u1", nil], ["3", "7", nil, "t"]])
    }

    @Test func aBacklogReachesPostgresWrittenFromTheEventsTextWithTheOffsetCommittedAtDurablePoints() async throws {
        let (server, fixture, context, schema) = try await postgresSetup()
        // The default table name is a constant: rows keep their text and the COPY is written from it.
        let destinations = [try postgresDestination(server, schema: schema, table: nil)]
        // Six stream chunks of 2,000: the first five deferred, the last durable with them. One event's amount does
        // not fit the column the others made (fallback, with its id); one holds an array (flattened the slow way).
        let count = 12_000
        let events = (0..<count).map { index in
            let amount: JSONValue = index == 7_777 ? .string("lots") : .number(Double(index))
            var fields: [String: JSONValue] = ["amount": amount, "user": .object(["id": .string("u\(index % 7)")])]
            if index == 4_242 { fields["tags"] = .array([.string("a"), .number(1)]) }
            return event(fields, id: "e\(index)")
        }
        let pipeline = try await fixture.harness.onLoop {
            let pipeline = try await EventPipeline.start(settings: self.settings(fixture, destinations), context: context)
            try await pipeline.accept(events)
            return pipeline
        }
        #expect(try await eventually { pipeline.runners["pg"]?.committedOffset == UInt64(count) })
        let fallback = try PipelineFixture.lines(of: fixture.directory + "/fallback/n1-errors-pg.log")
        #expect(fallback.map { $0["event_id"] } == [.string("e7777")])
        let stored = try await close(pipeline, fixture, context, thenQuery: "SELECT count(*), count(DISTINCT eventn_ctx_event_id), sum(amount), max(tags), "
            + "count(DISTINCT user_id) FROM \"\(schema)\".events", on: server)
        #expect(stored == [["\(count - 1)", "\(count - 1)", "\((0..<count).reduce(0, +) - 7_777)", #"["a",1]"#, "7"]])
    }

    @Test func aBacklogWhoseConnectionBreaksBeforeItsDurablePointIsDeliveredAgainFromTheCommittedOffset() async throws {
        let (server, fixture, context, schema) = try await postgresSetup()
        let destinations = [try postgresDestination(server, schema: schema, table: nil)]
        // Twenty stream chunks of 2,000: the first durable point comes after sixteen.
        let count = 40_000
        let events = (0..<count).map { event(["n": .number(Double($0))], id: "e\($0)") }
        let pipeline = try await fixture.harness.onLoop {
            let pipeline = try await EventPipeline.start(settings: self.settings(fixture, destinations), context: context)
            try await pipeline.accept(events)
            return pipeline
        }
        // Once the first chunks are in, before any durable point, the runner's connection breaks.
        let check = try await PostgresFixture(server: server)
        let table = #""\#(schema)".events"#
        #expect(try await eventually { (try? await check.query("SELECT count(*) > 0 FROM \(table)")) == [["t"]] })
        #expect(pipeline.runners["pg"]?.committedOffset == 0)
        let killed = try await check.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            + #"AND query LIKE '%"\#(schema)"%'"#)
        #expect(killed == [["t"]])
        // Up to sixteen chunks twice: longer than the other tests wait for in a debug build.
        #expect(try await eventually(within: 30) { pipeline.runners["pg"]?.committedOffset == UInt64(count) })
        // Every event, and the chunks stored before the break a second time: they were delivered again.
        let stored = try await close(pipeline, fixture, context, thenQuery: "SELECT count(DISTINCT n), count(*) > \(count) FROM \(table)", on: server)
        #expect(stored == [["\(count)", "t"]])
        #expect(await check.finish() == 0)
    }

}

extension EventPipeline {
    /// Appends events given as objects, as ingestion appends their bytes.
    func accept(_ events: [[String: JSONValue]]) async throws {
        let records = events.map(EventJSON.bytes)
        try await accept { records }
    }
}
