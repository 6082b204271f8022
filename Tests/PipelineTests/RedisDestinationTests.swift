import Foundation
import Loop
import NodeConfig
import Testing
import TestSupport
@testable import Pipeline

/// Against real redis-server processes (Debian's package): one open, one with `requirepass`.
@Suite(.serialized) struct RedisDestinationTests {
    let testing: DestinationTesting

    init() throws { testing = try DestinationTesting() }

    private func destination(port: Int, host: String = "127.0.0.1", _ extra: [String: ConfigValue] = [:]) async throws -> any Destination {
        try await testing.destination(type: "redis", extra.merging(["host": .string(host), "port": .int(port)]) { first, _ in first })
    }

    @Test func eventsBecomeHashesThatExpire() async throws {
        let server = try RedisServer.shared.get()
        let type = DestinationTesting.unique("page")
        let destination = try await destination(port: server.port, ["ttl_sec": .int(300)])
        let outcome = try await testing.store(destination, table: "ignored", [
            #"{"event_type": "\#(type)", "eventn_ctx_event_id": "e1", "user": {"id": 7}, "ok": true, "gone": null, "tags": ["a"]}"#,
            #"{"event_type": "\#(type)", "eventn_ctx_event_id": "e2", "price": 1.5}"#,
        ])
        #expect(outcome == .allStored)
        #expect(try server.command("HGETALL", "\(type):e1").split(separator: "\n") == [
            "event_type", "\(type)", "eventn_ctx_event_id", "e1", "ok", "true", "tags", #"["a"]"#, "user_id", "7",
        ].map { Substring($0) })
        #expect(try server.command("HGET", "\(type):e2", "price") == "1.5")
        let ttl = try #require(Int(try server.command("TTL", "\(type):e1")))
        #expect((1...300).contains(ttl))
        #expect(try await testing.finish(destination))
    }

    @Test func keyTemplateFailureRejectsOnlyItsRow() async throws {
        let server = try RedisServer.shared.get()
        let prefix = DestinationTesting.unique("k")
        let destination = try await destination(port: server.port, ["key_template": .string("{{.key}}{{index .tags 0}}")])
        let outcome = try await testing.store(destination, table: "t", [
            #"{"key": "\#(prefix)-a", "tags": ["1"]}"#,
            #"{"key": "\#(prefix)-b", "tags": []}"#,
            #"{"key": "", "tags": [""]}"#,
        ])
        guard case .stored(let rejected) = outcome else { Issue.record("expected stored, got \(outcome)"); return }
        #expect(rejected.keys.sorted() == [1, 2])
        #expect(rejected[1]?.contains("key_template failed") == true)
        #expect(rejected[2] == "key_template gave an empty key")
        #expect(try server.command("HGET", "\(prefix)-a1", "key") == "\(prefix)-a")
        #expect(try await testing.finish(destination))
    }

    @Test func wrongOrMissingPasswordRejectsTheRowsWithRedisMessage() async throws {
        let server = try RedisServer.protected.get()
        for (password, expected) in [("wrong", "WRONGPASS"), (nil, "NOAUTH")] {
            let destination = try await destination(port: server.port, password.map { ["password": .string($0)] } ?? [:])
            let outcome = try await testing.store(destination, table: "t", [#"{"event_type": "a", "eventn_ctx_event_id": "1"}"#])
            guard case .stored(let rejected) = outcome else { Issue.record("expected stored, got \(outcome)"); continue }
            #expect(rejected[0]?.hasPrefix(expected) == true, "\(rejected)")
            try await testing.harness.onLoop { await destination.close() }
        }
        let destination = try await destination(port: server.port, ["password": .string("secret"), "database": .int(3)])
        let type = DestinationTesting.unique("auth")
        #expect(try await testing.store(destination, table: "t", [#"{"event_type": "\#(type)", "eventn_ctx_event_id": "1"}"#]) == .allStored)
        #expect(try server.command("-n", "3", "HGET", "\(type):1", "event_type") == type)
        #expect(try await testing.finish(destination))
    }

    @Test func stoppedServerIsUnreachableThenStoredAfterRestart() async throws {
        let server = try RedisServer()
        defer { server.stop() }
        let destination = try await destination(port: server.port)
        #expect(try await testing.store(destination, table: "t", [#"{"event_type": "a", "eventn_ctx_event_id": "1"}"#]) == .allStored)
        server.stop()
        let outcome = try await testing.store(destination, table: "t", [#"{"event_type": "a", "eventn_ctx_event_id": "2"}"#])
        guard case .unreachable = outcome else { Issue.record("expected unreachable, got \(outcome)"); return }
        let refused = try await testing.store(destination, table: "t", [#"{"event_type": "a", "eventn_ctx_event_id": "2"}"#])
        guard case .unreachable(let reason) = refused else { Issue.record("expected unreachable, got \(refused)"); return }
        #expect(reason.contains("Connection refused"))
        try server.restart()
        #expect(try await testing.store(destination, table: "t", [#"{"event_type": "a", "eventn_ctx_event_id": "2"}"#]) == .allStored)
        #expect(try server.command("EXISTS", "a:2") == "1")
        #expect(try await testing.finish(destination))
    }

    @Test func testConnectionPasses() async throws {
        let open = try RedisServer.shared.get()
        let protected = try RedisServer.protected.get()
        #expect(try await testing.testConnection(destination(port: open.port)) == nil)
        let destination = try await destination(port: protected.port, ["password": .string("secret")])
        #expect(try await testing.testConnection(destination) == nil)
        #expect(try protected.command("DBSIZE") == "0")
        #expect(await testing.harness.finish() == 0)
    }

    @Test func testConnectionNamesTheCause() async throws {
        let protected = try RedisServer.protected.get()
        let refused = try ServiceProcess.freePort()
        let cases: [(Int, String, [String: ConfigValue], String)] = [
            (protected.port, "127.0.0.1", ["password": .string("wrong")], "WRONGPASS"),
            (protected.port, "127.0.0.1", [:], "NOAUTH"),
            (refused, "127.0.0.1", [:], "Connection refused"),
            (6379, "no-such-host.invalid", [:], "cannot resolve Redis host no-such-host.invalid"),
        ]
        for (port, host, extra, expected) in cases {
            let cause = try await testing.testConnection(destination(port: port, host: host, extra))
            #expect(cause?.contains(expected) == true, "\(host):\(port): \(cause ?? "passed")")
        }
        #expect(await testing.harness.finish() == 0)
    }

    @Test func silentServerTimesOut() async throws {
        let harness = testing.harness
        let context = try await testing.context()
        let cause = try await harness.onLoop { () async throws -> String? in
            // Accepts connections and never answers.
            let silent = try TCPServer(loop: harness.loop)
            try silent.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)) { _ in }
            defer { silent.close() }
            return try await Self.testConnection(port: silent.localAddress!.port, context: context) { $0.replyTimeout = 200 }
        }
        #expect(cause?.contains("timed out waiting for Redis") == true, "\(cause ?? "passed")")
        #expect(await harness.finish() == 0)
    }

    @Test func connectThatNeverCompletesTimesOut() async throws {
        // A listener with a full backlog that never accepts: the kernel drops further SYNs, so connects hang.
        let listener = try IdleListener(backlog: 0)
        listener.fill()
        let port = listener.port
        let context = try await testing.context()
        let cause = try await testing.harness.onLoop {
            try await Self.testConnection(port: port, context: context) { $0.connectTimeout = 300 }
        }
        #expect(cause?.contains("timed out connecting to Redis") == true, "\(cause ?? "passed")")
        #expect(await testing.harness.finish() == 0)
    }

    /// `testConnection` of a destination on 127.0.0.1:`port` with settings `adjust` changed (timeouts are not
    /// configuration keys); the failure's cause, or nil.
    private static func testConnection(port: Int, context: DestinationContext, adjust: (inout RedisDestination.Settings) -> Void) async throws -> String? {
        let section = ConfigValue.map(["host": .string("127.0.0.1"), "port": .int(port)])
        var reader = try SettingsReader(.map(["redis": section]), path: "destinations.test")
        var settings = try RedisDestination.Settings(reading: &reader)
        adjust(&settings)
        do throws(DestinationFailure) {
            try await RedisDestination(id: "test", settings: settings, context: context).testConnection()
            return nil
        } catch {
            return error.cause
        }
    }

    @Test func configurationIsReadStrictly() throws {
        let config = try DestinationTesting.config(type: "redis", ["host": .string("cache"), "ttl_sec": .int(60)])
        guard case .redis(let settings) = config.settings else { Issue.record("not redis"); return }
        #expect(settings.port == 6379 && settings.database == 0 && settings.ttlSeconds == 60)
        #expect(settings.keyTemplate == "{{.event_type}}:{{.eventn_ctx_event_id}}")
        #expect(throws: ConfigError.self) { try DestinationTesting.config(type: "redis", ["port": .int(6379)]) }
        #expect(throws: ConfigError.self) { try DestinationTesting.config(type: "redis", ["host": .string("h"), "ttl": .int(5)]) }
        #expect(throws: ConfigError.self) { try DestinationTesting.config(type: "redis", ["host": .string("h"), "ttl_sec": .int(0)]) }
    }
}
