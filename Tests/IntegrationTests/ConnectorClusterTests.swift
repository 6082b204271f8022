import Foundation
import Testing
import TestSupport

/// Analytics connectors across three real `rivulet serve` processes: telemetry ingested on every node reaches the
/// connector's sink from each node's own task; deactivate keeps the place and activate catches up; a sink that
/// goes down shows ERROR with its reason and ACTIVE again once it is back; topics are listed from every node.
@Suite(.serialized) struct ConnectorClusterTests {
    static let token = GossipClusterTests.token
    static let key = "s2s.telemetry"

    static func config(name: String, scratch: ClusterStateTests.Scratch, seeds: [Int]) -> String {
        """
        server: {name: \(name), host: 127.0.0.1, port: 0, admin_token: \(token), data_dir: \(scratch.dataDir(name))}
        cluster:
          bind: 127.0.0.1:0
          seeds: [\(seeds.map { "127.0.0.1:\($0)" }.joined(separator: ", "))]
          forward_timeout: 10s
          gossip: {profile: loopback}
        api_keys: [{id: telemetry, server_secret: \(key)}]
        logging: {level: info}
        """
    }

    static func cluster(_ scratch: ClusterStateTests.Scratch) throws -> [NodeProcess] {
        let node1 = try NodeProcess(yaml: config(name: "node1", scratch: scratch, seeds: []))
        let node2 = try NodeProcess(yaml: config(name: "node2", scratch: scratch, seeds: [node1.gossipPort]))
        let node3 = try NodeProcess(yaml: config(name: "node3", scratch: scratch, seeds: [node1.gossipPort]))
        let nodes = [node1, node2, node3]
        #expect(GossipClusterTests.time(within: 5) { nodes.allSatisfy { GossipClusterTests.instances(of: $0).count == 3 } } != nil)
        return nodes
    }

    static func json(_ response: RawResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]) ?? [:]
    }

    /// Sends `count` telemetry events of `topic` (numbered from `first`) to `node` in one request.
    static func ingest(_ node: NodeProcess, namespace: String = "game1", topic: String, first: Int, count: Int, eventType: String = "justice-event") throws {
        let events = (first..<(first + count)).map { #"{"EventNamespace":"\#(namespace)","EventName":"\#(topic)","n":\#($0),"node":"\#(node.httpPort)"}"# }
        let response = try node.request("POST", "/api/v1/telemetry/\(eventType)?token=\(key)", body: "[\(events.joined(separator: ","))]")
        #expect(response.status == 200, "\(response.body)")
    }

    static func status(_ node: NodeProcess, _ id: Int) -> [String: Any] {
        (try? node.get("/analytics-connector/v1/admin/connectors/\(id)/status", token: token)).map(json) ?? [:]
    }

    static func count(_ postgres: PostgresServer, _ sql: String) async -> Int {
        Int((try? await postgres.psql(sql))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
    }

    static func waitFor(_ seconds: Double, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    @Test func aPostgresConnectorDrainsEveryNodePausesResumesAndRecoversFromItsSinkGoingDown() async throws {
        let postgres = try await PostgresServer.shared.value
        let schema = "conn_\(UInt32.random(in: 0...UInt32.max))"
        let scratch = ClusterStateTests.Scratch()
        let nodes = try Self.cluster(scratch)
        defer { nodes.forEach { $0.terminate() } }
        let (node1, node2, node3) = (nodes[0], nodes[1], nodes[2])

        // Events ingested before the connector exists are in the topic logs, and the new connector starts at their beginning.
        for (index, node) in nodes.enumerated() { try Self.ingest(node, topic: "login", first: index * 1000, count: 100) }
        try Self.ingest(node2, namespace: "game2", topic: "match", first: 0, count: 1, eventType: "game_telemetry")
        // Copied into the topic logs right after the incoming log; listed from any node.
        var topics: RawResponse?
        #expect(GossipClusterTests.time(within: 3) {
            topics = try? node3.get("/analytics-connector/v1/admin/tools/kafka/topics/justice_event", token: Self.token)
            return topics.map(Self.json) as? [String: [String]] == ["game1": ["login"]]
        } != nil, "\(topics?.body ?? "")")
        #expect(topics?.status == 200)
        #expect(GossipClusterTests.time(within: 3) {
            (try? node1.get("/analytics-connector/v1/admin/tools/kafka/topics/game-telemetry", token: Self.token)).map(Self.json) as? [String: [String]] == ["game2": ["match"]]
        } != nil)
        #expect(try node1.get("/analytics-connector/v1/admin/tools/kafka/topics/nope", token: Self.token).status == 400)

        let body = """
            {"connectorName":"pg-sink","connectorType":"SINK","storageType":"KAFKA_REDSHIFT",
             "config":{"host":"127.0.0.1","port":"\(postgres.port)","dbName":"postgres","username":"\(PostgresServer.user)",
                       "password":"\(PostgresServer.password)","schema":"\(schema)","sslmode":"disable",
                       "flushInterval":"1","flushSize":"100","eventType":"justice_event"},
             "filter":{"game1":["login","logout"]}}
            """
        let created = try node1.request("POST", "/analytics-connector/v1/admin/connectors", body: body, token: Self.token)
        try #require(created.status == 201, "\(created.body)")
        let id = try #require(Self.json(created)["id"] as? Int)
        #expect(await Self.waitFor(20) { await Self.count(postgres, "SELECT count(*) FROM \(schema).login") == 300 }, "\(GossipClusterTests.logs(nodes))")
        // Every node's task ran, and each wrote its own node's events.
        #expect(await Self.count(postgres, "SELECT count(DISTINCT node) FROM \(schema).login") == 3)
        #expect(await Self.count(postgres, "SELECT count(DISTINCT n) FROM \(schema).login") == 300)
        let active = Self.status(node2, id)
        #expect(active["status"] as? String == "ACTIVE", "\(active)")
        #expect(active["connector"] as? String == "pg-sink")
        #expect((active["tasks"] as? [[String: Any]])?.compactMap { $0["node"] as? String } == ["node1", "node2", "node3"], "\(active)")

        // Paused: nothing more is written; resumed: it catches up from where it stopped.
        #expect(try node2.request("PUT", "/analytics-connector/v1/admin/connectors/\(id)/deactivate", token: Self.token).status == 200)
        #expect(GossipClusterTests.time(within: 5) { Self.status(node3, id)["status"] as? String == "INACTIVE" } != nil)
        #expect(await Self.waitFor(5) { (Self.status(node1, id)["tasks"] as? [Any])?.isEmpty == true })
        for (index, node) in nodes.enumerated() { try Self.ingest(node, topic: "login", first: index * 1000 + 100, count: 100) }
        try await Task.sleep(for: .seconds(2))
        #expect(await Self.count(postgres, "SELECT count(*) FROM \(schema).login") == 300)
        #expect(try node3.request("PUT", "/analytics-connector/v1/admin/connectors/\(id)/activate", token: Self.token).status == 200)
        #expect(await Self.waitFor(20) { await Self.count(postgres, "SELECT count(*) FROM \(schema).login") == 600 })
        #expect(await Self.count(postgres, "SELECT count(DISTINCT n) FROM \(schema).login") == 600)

        // The sink goes down: the status says ERROR, naming the node and the reason; back up, the events arrive and it is ACTIVE.
        try await postgres.stop()
        try Self.ingest(node1, topic: "logout", first: 0, count: 100)
        var failing: [String: Any] = [:]
        let failed = await Self.waitFor(20) {
            failing = Self.status(node2, id)
            return failing["status"] as? String == "ERROR"
        }
        #expect(failed, "\(failing)")
        #expect((failing["error"] as? String)?.hasPrefix("node1: ") == true, "\(failing)")
        // The list's state filter asks every node too: node3 finds node1's failing task.
        let ids = { (state: String) in
            ((try? node3.get("/analytics-connector/v1/admin/connectors?connectorState=\(state)", token: Self.token)).map(Self.json)?["data"] as? [[String: Any]])?
                .compactMap { $0["id"] as? Int }
        }
        #expect(ids("ERROR") == [id] && ids("ACTIVE") == [] && ids("INACTIVE") == [])
        try await postgres.restart()
        #expect(await Self.waitFor(60) { await Self.count(postgres, "SELECT count(*) FROM \(schema).logout") == 100 })
        #expect(await Self.waitFor(5) { Self.status(node1, id)["status"] as? String == "ACTIVE" }, "\(Self.status(node1, id))")
    }

    /// Every line of every object under `prefix`, by its `n`, with the key it is in.
    static func lines(_ moto: MotoS3, _ bucket: String) throws -> [(key: String, event: [String: Any])] {
        try moto.objects(in: bucket).flatMap { key, text in
            text.split(separator: "\n").map { (key, (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) ?? [:]) }
        }
    }

    @Test func anS3ConnectorWritesEveryEventWhereThePathSaysAndLosesNoneToAKill() async throws {
        // Without authentication: moto cannot check a signature of a key holding `=`, which the default path has.
        let moto = try MotoS3(authenticating: false)
        defer { moto.stop() }
        let bucket = "analytics-\(UInt32.random(in: 0...UInt32.max))"
        let scratch = ClusterStateTests.Scratch()
        var nodes = try Self.cluster(scratch)
        defer { nodes.forEach { $0.terminate() } }

        // The bucket does not exist yet: the flush fails and the status says why.
        let body = """
            {"connectorName":"s3-sink","connectorType":"SINK","storageType":"KAFKA_S3",
             "config":{"bucketName":"\(bucket)","region":"us-east-1","endpoint":"\(moto.endpoint)","accessKeyId":"\(moto.accessKeyID)",
                       "secretAccessKey":"\(moto.secretAccessKey)","flushInterval":"1","flushSize":"1000","eventType":"game_telemetry"},
             "filter":{"game1":["match"]}}
            """
        let created = try nodes[0].request("POST", "/analytics-connector/v1/admin/connectors", body: body, token: Self.token)
        try #require(created.status == 201, "\(created.body)")
        let id = try #require(Self.json(created)["id"] as? Int)
        for (index, node) in nodes.enumerated() { try Self.ingest(node, topic: "match", first: index * 100_000, count: 1000, eventType: "game-telemetry") }
        var failing: [String: Any] = [:]
        #expect(await Self.waitFor(20) {
            failing = Self.status(nodes[1], id)
            return (failing["error"] as? String)?.contains("NoSuchBucket") == true
        }, "\(failing)")
        #expect(failing["status"] as? String == "ERROR")
        try moto.createBucket(bucket)
        #expect(await Self.waitFor(60) { (try? Self.lines(moto, bucket).count) == 3000 }, "\(GossipClusterTests.logs(nodes))")
        #expect(await Self.waitFor(5) { Self.status(nodes[2], id)["status"] as? String == "ACTIVE" })

        // Each object is where the default path puts it: its event type, realm, topic and the UTC time partition
        // (15 minutes) of its events' ingestion, then the node and flush sequence.
        let pattern = #"^game_telemetry/realm/default/topics/match/year=(\d{4})/month=(\d\d)/day=(\d\d)/hour=(\d\d)/minute=(\d\d)/match-node[123]-\d{6}\.json$"#
        for (key, event) in try Self.lines(moto, bucket) {
            let parts = try #require(key.wholeMatch(of: try Regex(pattern)), "\(key)")
            let stamp = try #require(event["_timestamp"] as? String)
            let minute = Int(stamp.dropFirst(14).prefix(2))! / 15 * 15
            let expected = "\(stamp.prefix(4))/\(stamp.dropFirst(5).prefix(2))/\(stamp.dropFirst(8).prefix(2))/\(stamp.dropFirst(11).prefix(2))/\(String(format: "%02d", minute))"
            let found = (1...5).map { String(parts.output[$0].substring ?? "") }.joined(separator: "/")
            #expect(found == expected, "\(key) holds an event of \(stamp)")
            #expect(event["_event_type"] as? String == "game_telemetry" && event["EventName"] as? String == "match")
        }

        // Paused, nothing new is written; resumed, the events arrive.
        #expect(try nodes[0].request("PUT", "/analytics-connector/v1/admin/connectors/\(id)/deactivate", token: Self.token).status == 200)
        #expect(await Self.waitFor(5) { (Self.status(nodes[0], id)["tasks"] as? [Any])?.isEmpty == true })
        try Self.ingest(nodes[0], topic: "match", first: 1000, count: 1000, eventType: "game_telemetry")
        try await Task.sleep(for: .seconds(2))
        #expect(try Self.lines(moto, bucket).count == 3000)
        #expect(try nodes[0].request("PUT", "/analytics-connector/v1/admin/connectors/\(id)/activate", token: Self.token).status == 200)
        #expect(await Self.waitFor(30) { (try? Self.lines(moto, bucket).count) == 4000 })

        // kill -9 right after node2 took 5,000 events (five flushes, the last in flight or not yet begun), then restart
        // it on the same data: no event is missing.
        for batch in 0..<5 { try Self.ingest(nodes[1], topic: "match", first: 100_000 + 1000 + batch * 1000, count: 1000, eventType: "game_telemetry") }
        nodes[1].signal(SIGKILL)
        _ = nodes[1].waitForExit()
        nodes[1] = try NodeProcess(yaml: Self.config(name: "node2", scratch: scratch, seeds: [nodes[0].gossipPort]))
        let expected = Set((0..<2000).map { $0 } + (100_000..<106_000).map { $0 } + (200_000..<201_000).map { $0 })
        var seen: [Int] = []
        // Longer than the flush interval (a minute): the router may copy again what it copied before the kill, and
        // those duplicates leave a last batch short of flushSize, which is flushed when the interval ends.
        let complete = await Self.waitFor(90) {
            seen = ((try? Self.lines(moto, bucket)) ?? []).compactMap { $0.event["n"] as? Int }
            return expected.isSubset(of: Set(seen))
        }
        #expect(complete, "missing \(expected.subtracting(seen).count) events\n\(nodes[1].log)")
        // Duplicates are allowed (at-least-once); a re-flushed batch keeps its sequence, so it overwrites its objects.
        print("S3 connector after kill -9: \(seen.count - Set(seen).count) duplicate events of \(seen.count)")
        #expect(Set(seen) == expected)
    }
}
