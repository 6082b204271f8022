import Foundation
import NodeConfig
import Testing

/// Jitsu's event routes and `POST /api/v1/destinations/test` on a live in-process node writing to a file destination.
@Suite(.serialized) struct IngestionRoutesTests {
    private static func node() throws -> LiveNode {
        try LiveNode(name: "ingest") { configuration in
            configuration.server.maxEventSize = 300
            configuration.apiKeys = .array([
                .map(["id": .string("web"), "client_secret": .string("js.k"), "server_secret": .string("s2s.k"),
                      "origins": .array([.string("*.example.com")])]),
            ])
            configuration.destinations = .map(["local": .map(["type": .string("file")])])
        }
    }

    /// The events the file destination has written so far.
    private func delivered(_ node: LiveNode, count: Int) async throws -> [String] {
        let path = node.dataDirectory.appendingPathComponent("files/local/events.jsonl").path
        for _ in 0..<100 {
            let lines = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            if lines.count >= count { return lines }
            try await Task.sleep(for: .milliseconds(50))
        }
        return ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func tokensFromEverySourceAreAcceptedAndEventsEnriched() async throws {
        let node = try Self.node()
        defer { node.stop() }
        let basic = Data("s2s.k:".utf8).base64EncodedString()
        let accepted = [
            try node.send("/api/v1/event?token=js.k", body: #"{"event_type":"a"}"#, headers: ["Origin": "https://app.example.com"]),
            try node.send("/api/v1/events", body: #"[{"event_type":"b"},{"event_type":"c"}]"#, headers: ["X-Auth-Token": "js.k"]),
            try node.send("/api/v1/s2s/event", body: #"{"event_type":"d"}"#, headers: ["api_key": "s2s.k"]),
            try node.send("/api/v1/s2s/event?p_x9=s2s.k", body: #"{"event_type":"e"}"#),
            try node.send("/api/v1/events/bulk", body: "{\"event_type\":\"f\"}\n\n{\"event_type\":\"g\"}\n", headers: ["Authorization": "Basic \(basic)"]),
        ]
        for response in accepted {
            #expect(response.status == 200)
            #expect(response.body == #"{"status":"ok"}"#)
        }
        let lines = try await delivered(node, count: 7)
        #expect(lines.count == 7)
        let first = try #require(lines.first)
        #expect(first.contains(#""api_key":"web""#) && first.contains(#""source_ip":"127.0.0.1""#))
        #expect(first.contains(#""eventn_ctx_event_id":""#) && first.contains(#""_timestamp":""#))
        #expect(try node.send("/ping", method: "GET").body == "pong")
    }

    @Test func everyIngestionErrorIsClearAndKeepsNothing() async throws {
        let node = try Self.node()
        defer { node.stop() }
        let wrong = try node.send("/api/v1/event?token=nope", body: #"{"event_type":"x"}"#)
        #expect(wrong.status == 401 && wrong.body.contains("The token is not found: nope"))
        #expect(try node.send("/api/v1/event", body: #"{"event_type":"x"}"#).status == 401)
        let clientOnServerRoute = try node.send("/api/v1/s2s/event?token=js.k", body: #"{"event_type":"x"}"#)
        #expect(clientOnServerRoute.status == 401 && clientOnServerRoute.body.contains("server"))
        #expect(try node.send("/api/v1/event?token=js.k", body: "{}", headers: ["Origin": "https://evil.test"]).status == 401)
        let large = try node.send("/api/v1/event?token=js.k", body: #"{"event_type":"\#(String(repeating: "x", count: 400))"}"#)
        #expect(large.status == 413 && large.body.contains("server.max_event_size"))
        // One bad event in an array or a bulk body refuses the whole request.
        let badJSON = try node.send("/api/v1/events?token=js.k", body: #"[{"event_type":"kept?"}, {"bad"#)
        #expect(badJSON.status == 400 && badJSON.body.contains("JSON"))
        #expect(try node.send("/api/v1/events/bulk?token=s2s.k", body: "{\"event_type\":\"kept?\"}\n[1]\n").status == 400)
        #expect(try node.send("/api/v1/events?token=js.k", body: #"[{"event_type":"kept?"}, 3]"#).status == 400)
        #expect(try node.send("/api/v1/event?token=js.k", body: "").status == 400)
        // Then a good one: only it is delivered.
        #expect(try node.send("/api/v1/event?token=js.k", body: #"{"event_type":"good"}"#).status == 200)
        let lines = try await delivered(node, count: 1)
        try await Task.sleep(for: .milliseconds(200))
        #expect(lines.count == 1 && lines[0].contains("good"))
    }

    @Test func destinationTestConnectsForRealAndNamesTheCause() throws {
        let node = try Self.node()
        defer { node.stop() }
        let admin = ["X-Admin-Token": "s3cret"]
        let directory = node.dataDirectory.appendingPathComponent("probe").path
        let ok = try node.send("/api/v1/destinations/test", body: #"{"type":"file","file":{"path":"\#(directory)"}}"#, headers: admin)
        #expect(ok.status == 200 && ok.body == #"{"status":"ok"}"#)
        // A regular file where the directory should be.
        _ = FileManager.default.createFile(atPath: directory + "-file", contents: Data())
        let blocked = try node.send("/api/v1/destinations/test", body: #"{"type":"file","file":{"path":"\#(directory)-file/x"}}"#, headers: admin)
        #expect(blocked.status == 400 && blocked.body.contains("unable to connect to your destination: "))
        let unknown = try node.send("/api/v1/destinations/test", body: #"{"type":"mongo"}"#, headers: admin)
        #expect(unknown.status == 400 && unknown.body.contains("unknown destination type"))
        let missing = try node.send("/api/v1/destinations/test", body: #"{"type":"postgres","datasource":{"db":"x"}}"#, headers: admin)
        #expect(missing.status == 400 && missing.body.contains("datasource.host"))
        let refused = try node.send("/api/v1/destinations/test", body: #"{"type":"postgres","datasource":{"host":"127.0.0.1","port":1,"db":"x","username":"u"}}"#, headers: admin)
        #expect(refused.status == 400 && refused.body.lowercased().contains("refused"))
        #expect(try node.send("/api/v1/destinations/test", body: #"{"type":"file"}"#).status == 401)
    }
}
