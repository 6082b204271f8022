import Foundation
import Testing
import TestSupport

/// Fallback files and their replay across three real `rivulet serve` processes and a real PostgreSQL: events a
/// type conflict sent to node2's fallback file are listed from node1, replayed through node3 into PostgreSQL exactly
/// once, and every refusal (replayed already, owner down, paths outside, malformed lines) answers as documented.
@Suite(.serialized) struct ReplayClusterTests {
    static let token = GossipClusterTests.token
    static let secret = "s2s.replay"

    /// node2 rotates its fallback file within about a second, so its file is listed soon; the others keep theirs
    /// active for the test's length.
    static func config(name: String, scratch: ClusterStateTests.Scratch, seeds: [Int], postgres: PostgresServer, schema: String) -> String {
        """
        server: {name: \(name), host: 127.0.0.1, port: 0, admin_token: \(token), data_dir: \(scratch.dataDir(name)), replay_allowed_dirs: [\(scratch.dataDir("archive"))]}
        cluster:
          bind: 127.0.0.1:0
          seeds: [\(seeds.map { "127.0.0.1:\($0)" }.joined(separator: ", "))]
          forward_timeout: 3s
          gossip: {profile: loopback}
        api_keys: [{id: k, server_secret: \(secret)}]
        destinations:
          pg:
            type: postgres
            datasource: {host: 127.0.0.1, port: \(postgres.port), db: postgres, schema: \(schema), username: rivulet, password: rivulet-test-password}
            data_layout: {table_name_template: events}
        fallback: {rotation_min: \(name == "node2" ? "0.02" : "5")}
        logging: {level: info}
        """
    }

    static func json(_ response: RawResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]) ?? [:]
    }

    static func header(_ response: RawResponse, _ name: String) -> String? {
        response.headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    static func files(from node: NodeProcess, query: String = "") -> [[String: Any]] {
        guard let response = try? node.get("/api/v1/fallback\(query)", token: token), response.status == 200 else { return [] }
        return json(response)["files"] as? [[String: Any]] ?? []
    }

    static func replay(_ node: NodeProcess, _ body: [String: Any]) throws -> RawResponse {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try node.request("POST", "/api/v1/replay", body: text, token: token, timeout: 60)
    }

    static func seqs(_ postgres: PostgresServer, _ schema: String) async throws -> [Int] {
        try await postgres.psql("SELECT seq FROM \(schema).events ORDER BY seq").split(separator: "\n").compactMap { Int($0) }
    }

    @Test func aFallbackFileOfOneNodeIsListedEverywhereAndReplayedOnceThroughAnyNode() async throws {
        let postgres = try await PostgresServer.shared.value
        let schema = "replay_\(UInt32.random(in: 0...UInt32.max))"
        // `amount` is an integer column: text amounts do not fit, so those events go to the fallback file.
        _ = try await postgres.psql("CREATE SCHEMA \(schema); CREATE TABLE \(schema).events (seq bigint, amount bigint)")
        let scratch = ClusterStateTests.Scratch()
        try FileManager.default.createDirectory(atPath: scratch.dataDir("archive"), withIntermediateDirectories: true)
        let node1 = try NodeProcess(yaml: Self.config(name: "node1", scratch: scratch, seeds: [], postgres: postgres, schema: schema))
        let node2 = try NodeProcess(yaml: Self.config(name: "node2", scratch: scratch, seeds: [node1.gossipPort], postgres: postgres, schema: schema))
        let node3 = try NodeProcess(yaml: Self.config(name: "node3", scratch: scratch, seeds: [node1.gossipPort], postgres: postgres, schema: schema))
        let nodes = [node1, node2, node3]
        defer { nodes.forEach { $0.terminate() } }
        #expect(GossipClusterTests.time(within: 5) { nodes.allSatisfy { GossipClusterTests.instances(of: $0).count == 3 } } != nil)

        let body = (0..<50).map { #"{"seq":\#($0),"amount":"a\#($0)"}"# }.joined(separator: "\n")
        #expect(try node2.request("POST", "/api/v1/events/bulk?token=\(Self.secret)", body: body).status == 200)
        // Rotated within about a second; listed from node1 with node2's name on it.
        var listed: [[String: Any]] = []
        _ = GossipClusterTests.time(within: 15) {
            listed = Self.files(from: node1, query: "?destination_ids=%20pg%20,other")
            return listed.count == 1 && listed[0]["events"] as? Int == 50
        }
        let file = try #require(listed.first, "node2's fallback file was not listed\n\(GossipClusterTests.logs(nodes))")
        let name = try #require(file["file_name"] as? String)
        #expect(name.hasPrefix("node2-errors-pg-"))
        #expect(file["instance"] as? String == "node2")
        #expect(file["uploaded"] as? Bool == false)
        #expect((file["size"] as? Int ?? 0) > 0)
        #expect(Self.files(from: node3, query: "?destination_ids=other").isEmpty)
        #expect(try await Self.seqs(postgres, schema).isEmpty)

        // The cause fixed, the replay goes through node3 and runs on node2.
        _ = try await postgres.psql("ALTER TABLE \(schema).events ALTER COLUMN amount TYPE text")
        let replayed = try Self.replay(node3, ["file_name": name])
        #expect(replayed.status == 200, "\(replayed.body)")
        #expect(Self.header(replayed, "X-Rivulet-Served-By") == "node2")
        let result = Self.json(replayed)
        #expect(result["status"] as? String == "ok")
        #expect(result["instance"] as? String == "node2")
        #expect(result["replayed"] as? Int == 50)
        #expect(result["failed_again"] as? Int == 0)
        #expect(try await Self.seqs(postgres, schema) == Array(0..<50))
        #expect(Self.files(from: node1).first?["uploaded"] as? Bool == true)

        // Twice is a conflict, from any node; the file is still there (listing and replay never delete).
        let again = try Self.replay(node1, ["file_name": name])
        #expect(again.status == 409, "\(again.body)")
        #expect(Self.json(again)["message"] as? String != nil)
        #expect(try await Self.seqs(postgres, schema).count == 50)

        // Paths outside the fallback directory and the allowed ones.
        for bad in ["../node2/state.sqlite", "/etc/passwd", "\(scratch.dataDir("node1"))/state.sqlite", "node1-errors-pg/../../x.log", "x.log"] {
            let refused = try Self.replay(node1, ["file_name": bad, "destination_id": "pg"])
            #expect(refused.status == 400, "\(bad): \(refused.status) \(refused.body)")
        }
        #expect(try Self.replay(node1, ["file_name": name, "file_format": "xml"]).status == 400)
        #expect(try Self.replay(node1, ["destination_id": "pg"]).status == 400)
        #expect(try Self.replay(node1, ["file_name": "node1-errors-pg-2026-01-01T00-00-00.000.log"]).status == 404)

        // A raw JSON file in the allowed directory on node1: malformed line 3, no newline after the last line.
        let raw = scratch.dataDir("archive") + "/raw.jsonl"
        // Line 6 does not fit the integer column `seq`: it fails again and lands in node1's own fallback file.
        try #"{"seq":100,"amount":"x"}\#n{"seq":101}\#n{"seq":"#.appending("\n{\"seq\":103}\n\n{\"seq\":\"six\"}\n{\"seq\":104}").write(toFile: raw, atomically: true, encoding: .utf8)
        let strict = try Self.replay(node2, ["file_name": raw, "destination_id": "pg", "file_format": "raw_json", "instance": "node1"])
        #expect(strict.status == 400)
        #expect(strict.body.contains("line 3"), "\(strict.body)")
        #expect(try await Self.seqs(postgres, schema).count == 50, "nothing is written when a line is malformed")
        let lenient = try Self.replay(node2, ["file_name": raw, "destination_id": "pg", "file_format": "raw_json", "instance": "node1", "skip_malformed": true])
        #expect(lenient.status == 200, "\(lenient.body)")
        #expect(Self.json(lenient)["skipped_malformed"] as? Int == 1)
        #expect(Self.json(lenient)["replayed"] as? Int == 4)
        #expect(Self.json(lenient)["failed_again"] as? Int == 1)
        #expect(try await Self.seqs(postgres, schema).suffix(4) == [100, 101, 103, 104])
        let active = Self.files(from: node3, query: "?include_active=true").filter { $0["instance"] as? String == "node1" }
        #expect(active.map { $0["file_name"] as? String } == ["node1-errors-pg.log"], "\(active)")
        #expect(active.first?["events"] as? Int == 1)
        // Replaying the active file rotates it first; its event fails again into a fresh active file.
        let rotated = try Self.replay(node3, ["file_name": "node1-errors-pg.log"])
        #expect(rotated.status == 200, "\(rotated.body)")
        #expect((Self.json(rotated)["file_name"] as? String)?.hasPrefix("node1-errors-pg-") == true, "\(rotated.body)")
        #expect(Self.json(rotated)["failed_again"] as? Int == 1)

        // A gzip file replayed as a job from node3 and followed from node2 until it is done.
        let gzipSource = scratch.dataDir("archive") + "/more.jsonl"
        try (200..<1200).map { #"{"seq":\#($0)}"# }.joined(separator: "\n").write(toFile: gzipSource, atomically: true, encoding: .utf8)
        _ = try ServiceProcess.run("/bin/gzip", [gzipSource])
        let started = try Self.replay(node3, ["file_name": gzipSource + ".gz", "destination_id": "pg", "file_format": "raw_json", "instance": "node1", "async": true])
        #expect(started.status == 202, "\(started.body)")
        let job = try #require(Self.json(started)["job"] as? String)
        var state: [String: Any] = [:]
        _ = GossipClusterTests.time(within: 20) {
            guard let response = try? node2.get("/api/v1/replay/\(job)", token: Self.token), response.status == 200 else { return false }
            state = Self.json(response)
            return state["status"] as? String != "running"
        }
        #expect(state["status"] as? String == "ok", "\(state)")
        #expect(state["percent"] as? Double == 100)
        #expect(state["replayed"] as? Int == 1000)
        #expect(try await Self.seqs(postgres, schema).count == 50 + 4 + 1000)
        #expect(try node2.get("/api/v1/replay/node1-00000000", token: Self.token).status == 404)

        // The CLI: the listing as a table, a remote replay with its progress, a local file sent in chunks.
        let table = try GossipClusterTests.runCLI(["fallback", "--url", "http://127.0.0.1:\(node3.httpPort)", "--token", Self.token])
        #expect(table.hasPrefix("INSTANCE"), "\(table)")
        #expect(table.contains(name) && table.contains("node2") && table.contains("yes"), "\(table)")
        let cliFile = scratch.dataDir("archive") + "/cli.jsonl"
        try (2000..<2010).map { #"{"seq":\#($0)}"# }.joined(separator: "\n").write(toFile: cliFile, atomically: true, encoding: .utf8)
        let remote = try GossipClusterTests.runCLI(["replay", "--url", "http://127.0.0.1:\(node3.httpPort)", "--token", Self.token, "--file", cliFile,
                                                    "--instance", "node1", "--destination", "pg", "--format", "raw_json"])
        #expect(remote.contains("replayed 10 events"), "\(remote)")
        let localFile = scratch.url.appendingPathComponent("local.jsonl").path
        try (3000..<3012).map { #"{"seq":\#($0)}"# }.joined(separator: "\n").write(toFile: localFile, atomically: true, encoding: .utf8)
        let local = try GossipClusterTests.runCLI(["replay", "--url", "http://127.0.0.1:\(node2.httpPort)", "--token", Self.secret, "--local", localFile, "--destination", "pg"])
        #expect(local.contains("12 written"), "\(local)")
        #expect(try await Self.seqs(postgres, schema).count == 1054 + 10 + 12)

        // The owner gone: a clear 503 naming it, nothing written.
        node2.signal(SIGKILL)
        _ = node2.waitForExit()
        let orphan = try Self.replay(node1, ["file_name": name, "force": true])
        #expect(orphan.status == 503, "\(orphan.body)")
        #expect(Self.json(orphan)["owner"] as? String == "node2")
        // The listing still answers, naming the node it misses (until gossip has dropped it).
        let listing = try node1.get("/api/v1/fallback", token: Self.token)
        #expect(listing.status == 200)
        let partial = Self.json(listing)["partial"] as? [String]
        #expect(partial == ["node2"] || (partial == nil && GossipClusterTests.instances(of: node1).allSatisfy { $0.name != "node2" }), "\(listing.body)")
        #expect(try await Self.seqs(postgres, schema).count == 1076)
    }
}
