import NodeConfig
import Pipeline
import Templates
import Testing
import TestSupport

/// Against a real receiver (`WebhookReceiver`, the node's HTTP server on a loopback port).
@Suite struct WebhookDestinationTests {
    private func webhook(_ entries: [String: ConfigValue]) -> [String: ConfigValue] {
        ["type": .string("webhook"), "webhook": .map(entries)]
    }

    /// Runs `body` with a fresh loop and receiver, then stops both and checks that no handle leaked.
    private func withReceiver(_ body: (DestinationHarness, WebhookReceiver) async throws -> Void) async throws {
        let harness = try DestinationHarness()
        let receiver = try await WebhookReceiver(on: harness)
        try await body(harness, receiver)
        try await receiver.stop(on: harness)
        #expect(try await harness.finish() == 0)
    }

    @Test func templatesShapeMethodURLHeadersAndBody() async throws {
        try await withReceiver { harness, receiver in
            let destination = try harness.make(webhook([
                "url": .string("http://127.0.0.1:\(receiver.port)/hooks/{{.event_type}}?id={{.id}}"),
                "method": .string("put"),
                "headers": .map(["Authorization": .string("Bearer s3cret token"), "X-Event": .string("{{.event_type}}")]),
                "body": .string(#"{"who": "{{.user.name}}"}"#),
            ]))
            let events: [[String: JSONValue]] = [
                ["id": .string("1"), "event_type": .string("click"), "user": .object(["name": .string("ada")])],
                ["id": .string("2"), "event_type": .string("view"), "user": .object(["name": .string("bob")])],
            ]
            #expect(try await harness.store(destination, events) == .allStored)
            let requests = receiver.requests
            #expect(requests.map(\.method) == [.put, .put])
            #expect(requests.map(\.target) == ["/hooks/click?id=1", "/hooks/view?id=2"])
            #expect(requests.map { $0.headers["X-Event"] } == ["click", "view"])
            #expect(requests.map { $0.headers["Authorization"] } == ["Bearer s3cret token", "Bearer s3cret token"])
            #expect(requests.map { $0.headers["Content-Type"] } == ["application/json", "application/json"])
            #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == [#"{"who": "ada"}"#, #"{"who": "bob"}"#])
        }
    }

    @Test func defaultBodyIsTheEventJSONOverOneConnection() async throws {
        try await withReceiver { harness, receiver in
            let destination = try harness.make(webhook(["url": .string("http://127.0.0.1:\(receiver.port)/in")]))
            let events: [[String: JSONValue]] = [["n": .number(1), "nested": .object(["a": .bool(true)])], ["n": .number(2)]]
            #expect(try await harness.store(destination, events) == .allStored)
            #expect(receiver.requests.map(\.method) == [.post, .post])
            #expect(try receiver.requests.map { try JSONValue(parsing: String(decoding: $0.body, as: UTF8.self)) } == events.map { .object($0) })
            #expect(receiver.server.openConnections == 1)
        }
    }

    @Test func clientErrorOrTemplateErrorRejectsOnlyThatRow() async throws {
        try await withReceiver { harness, receiver in
            let destination = try harness.make(webhook([
                "url": .string("http://127.0.0.1:\(receiver.port)/in"), "body": .string("{{.kind}} {{.user.name}}"),
            ]))
            let events: [[String: JSONValue]] = [
                ["kind": .string("good"), "user": .object(["name": .string("ada")])],
                ["kind": .string("bad"), "user": .object(["name": .string("bob")])],
                ["kind": .string("good"), "user": .string("not an object")],
                ["kind": .string("good"), "user": .object(["name": .string("cy")])],
            ]
            guard case .stored(let rejected) = try await harness.store(destination, events) else {
                Issue.record("expected stored rows")
                return
            }
            #expect(rejected.keys.sorted() == [1, 2])
            #expect(rejected[1]?.contains("400 Bad Request: bad event: bad bob") == true, "\(rejected)")
            #expect(rejected[2]?.contains("webhook body template failed") == true, "\(rejected)")
            #expect(receiver.requests.map { String(decoding: $0.body, as: UTF8.self) } == ["good ada", "bad bob", "good cy"])
        }
    }

    @Test func serverErrorIsUnreachableAndARetrySucceeds() async throws {
        try await withReceiver { harness, receiver in
            let destination = try harness.make(webhook(["url": .string("http://127.0.0.1:\(receiver.port)/in")]))
            let events: [[String: JSONValue]] = [["n": .number(1)], ["n": .number(2)]]
            receiver.failing = true
            guard case .unreachable(let reason) = try await harness.store(destination, events) else {
                Issue.record("expected unreachable")
                return
            }
            #expect(reason.contains("503"), "\(reason)")
            #expect(receiver.requests.count == 1)
            receiver.failing = false
            #expect(try await harness.store(destination, events) == .allStored)
            #expect(receiver.requests.count == 3)
        }
    }

    @Test func receiverDownIsUnreachable() async throws {
        let harness = try DestinationHarness()
        let closedPort = try ServiceProcess.freePort()
        let destination = try harness.make(webhook(["url": .string("http://127.0.0.1:\(closedPort)/in")]))
        guard case .unreachable(let reason) = try await harness.store(destination, [["n": .number(1)]]) else {
            Issue.record("expected unreachable")
            return
        }
        #expect(reason.contains("ECONNREFUSED"), "\(reason)")
        #expect(try await harness.finish() == 0)
    }

    @Test func connectionTestOpensATCPConnectionOnly() async throws {
        try await withReceiver { harness, receiver in
            let reachable = try harness.make(webhook(["url": .string("http://127.0.0.1:\(receiver.port)/{{.event_type}}")]))
            #expect(try await harness.testConnection(reachable) == nil)
            #expect(receiver.requests.isEmpty)
            let closedPort = try ServiceProcess.freePort()
            let causes = [
                ("http://127.0.0.1:\(closedPort)/in", "ECONNREFUSED"),
                ("http://no-such-host.invalid/in", "cannot resolve no-such-host.invalid"),
                ("http://{{.host}}/in", "no fixed host to test"),
            ]
            for (url, cause) in causes {
                let failure = try await harness.testConnection(harness.make(webhook(["url": .string(url)])))
                #expect(failure?.cause.contains(cause) == true, "expected \(cause), got \(String(describing: failure))")
            }
        }
    }

    @Test func httpsAndUnknownKeysFailAtConfigTime() {
        let https = #expect(throws: ConfigError.self) { try DestinationConfig.testing(webhook(["url": .string("https://hooks.example/{{.id}}")])) }
        #expect(https?.description.contains("https is not supported") == true)
        let unknown = #expect(throws: ConfigError.self) {
            try DestinationConfig.testing(webhook(["url": .string("http://hooks.example/"), "header": .map([:])]))
        }
        #expect(unknown?.path == "destinations.test.webhook.header")
    }
}
