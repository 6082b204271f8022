import Foundation
import Testing
import TestSupport

/// Sources across three real `rivulet serve` processes, with a real PostgreSQL as source and destination and a
/// real Redis as a source: only the owner syncs, incremental runs continue from the replicated cursor (also on a new
/// owner after a kill -9), clear_cache reaches the owner from any node and leaves no old cursor behind.
@Suite(.serialized) struct SourceSyncClusterTests {
    static let token = GossipClusterTests.token
    /// January 1st only: runs in this test come from `POST .../sync`, not the clock.
    static let schedule = "0 0 1 1 *"

    static func config(name: String, scratch: ClusterStateTests.Scratch, seeds: [Int], postgres: PostgresServer, redis: RedisServer, schema: String) -> String {
        let datasource = "host: 127.0.0.1, port: \(postgres.port), db: postgres, username: rivulet, password: rivulet-test-password"
        return """
        server: {name: \(name), host: 127.0.0.1, port: 0, admin_token: \(token), data_dir: \(scratch.dataDir(name))}
        cluster:
          bind: 127.0.0.1:0
          seeds: [\(seeds.map { "127.0.0.1:\($0)" }.joined(separator: ", "))]
          forward_timeout: 20s
          gossip: {profile: loopback}
        destinations:
          pg: {type: postgres, datasource: {\(datasource), schema: \(schema)_out}}
        sources:
          shop:
            type: postgres
            destinations: [pg]
            schedule: "\(schedule)"
            config: {\(datasource), schema: \(schema)}
            collections:
              - {name: orders, parameters: {table: orders, cursor_field: id, primary_key: id}}
              - {name: big, parameters: {table: big, cursor_field: id}}
              - {name: items, table_name: all_items, parameters: {query: "select id, item from \(schema).orders where id <= 3"}}
          cache:
            type: redis
            destinations: [pg]
            schedule: "\(schedule)"
            config: {host: 127.0.0.1, port: \(redis.port)}
            collections: [{name: sessions, parameters: {key_pattern: "\(schema):session:*"}}]
        logging: {level: info}
        """
    }

    static func json(_ response: RawResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]) ?? [:]
    }

    static func header(_ response: RawResponse, _ name: String) -> String? {
        response.headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    /// The collection's entry of the source's status, as `node` answers it.
    static func collection(_ node: NodeProcess, _ source: String, _ name: String) -> [String: Any] {
        guard let response = try? node.get("/api/v1/sources/\(source)/status", token: token), response.status == 200,
              let collections = json(response)["collections"] as? [[String: Any]] else { return [:] }
        return collections.first { $0["name"] as? String == name } ?? [:]
    }

    static func lastRun(_ node: NodeProcess, _ source: String, _ name: String) -> [String: Any] {
        collection(node, source, name)["last_run"] as? [String: Any] ?? [:]
    }

    static func owner(_ node: NodeProcess, _ source: String) -> String? {
        guard let response = try? node.get("/api/v1/sources/\(source)/status", token: token) else { return nil }
        return json(response)["owner"] as? String
    }

    /// Starts a sync through `node` and waits until the collection's run ended; returns the run.
    static func sync(_ node: NodeProcess, _ source: String, _ name: String, within seconds: Double = 20) throws -> [String: Any] {
        let before = lastRun(node, source, name)["started_at"] as? String
        let started = try node.request("POST", "/api/v1/sources/\(source)/sync?collection=\(name)", token: token)
        #expect(started.status == 202, "\(started.body)")
        var run: [String: Any] = [:]
        _ = GossipClusterTests.time(within: seconds) {
            run = lastRun(node, source, name)
            return run["started_at"] as? String != before && run["status"] as? String != "running" && run["status"] != nil
        }
        return run
    }

    static func count(_ postgres: PostgresServer, _ table: String) async throws -> Int {
        Int(try await postgres.psql("SELECT count(*) FROM \(table)").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test func theOwnerSyncsIncrementallyClearCacheReachesItAndANewOwnerContinues() async throws {
        let postgres = try await PostgresServer.shared.value
        let redis = try RedisServer.shared.get()
        let schema = "src_\(UInt32.random(in: 0...UInt32.max))"
        _ = try await postgres.psql("""
            CREATE SCHEMA \(schema); CREATE TABLE \(schema).orders (id bigint PRIMARY KEY, item text, meta jsonb);
            INSERT INTO \(schema).orders SELECT g, 'item ' || g, jsonb_build_object('size', g % 3) FROM generate_series(1, 100) g;
            CREATE TABLE \(schema).big (id bigint PRIMARY KEY, payload text);
            INSERT INTO \(schema).big SELECT g, repeat('x', 200) FROM generate_series(1, 300000) g;
            """)
        _ = try redis.command("HSET", "\(schema):session:1", "user", "ann", "page", "/a")
        _ = try redis.command("HSET", "\(schema):session:2", "user", "bob")
        _ = try redis.command("SET", "\(schema):session:3", "not a hash")
        let scratch = ClusterStateTests.Scratch()
        let node1 = try NodeProcess(yaml: Self.config(name: "node1", scratch: scratch, seeds: [], postgres: postgres, redis: redis, schema: schema))
        let node2 = try NodeProcess(yaml: Self.config(name: "node2", scratch: scratch, seeds: [node1.gossipPort], postgres: postgres, redis: redis, schema: schema))
        let node3 = try NodeProcess(yaml: Self.config(name: "node3", scratch: scratch, seeds: [node1.gossipPort], postgres: postgres, redis: redis, schema: schema))
        var nodes = ["node1": node1, "node2": node2, "node3": node3]
        defer { nodes.values.forEach { $0.terminate() } }
        #expect(GossipClusterTests.time(within: 5) { nodes.values.allSatisfy { GossipClusterTests.instances(of: $0).count == 3 } } != nil)

        // Every node names the same owner; a call on another node is served by it.
        let owner = try #require(Self.owner(node1, "shop"))
        #expect(Self.owner(node2, "shop") == owner && Self.owner(node3, "shop") == owner)
        let other = try #require(nodes.first { $0.key != owner }?.value)
        let first = try Self.sync(other, "shop", "orders")
        #expect(first["status"] as? String == "ok", "\(first)")
        #expect(first["instance"] as? String == owner)
        #expect(first["rows"] as? Int == 100)
        #expect(try await Self.count(postgres, "\(schema)_out.shop_orders") == 100)
        // The jsonb column is flattened into a column of its own; the others keep their source's types.
        #expect(try await postgres.psql("SELECT count(*) FROM \(schema)_out.shop_orders WHERE meta_size = 2") == "33\n")
        #expect(try await postgres.psql("""
            SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_schema = '\(schema)_out'
            AND table_name = 'shop_orders' ORDER BY column_name
            """) == "id bigint\nitem text\nmeta_size bigint\n")
        #expect(Self.collection(other, "shop", "orders")["cursor"] as? String == "100")
        // Only the owner logged a run.
        for (name, node) in nodes where name != owner { #expect(!node.log.contains("source sync started")) }

        // New rows only, on the next run.
        _ = try await postgres.psql("INSERT INTO \(schema).orders SELECT g, 'item ' || g FROM generate_series(101, 150) g")
        #expect(try Self.sync(other, "shop", "orders")["rows"] as? Int == 50)
        #expect(try await Self.count(postgres, "\(schema)_out.shop_orders") == 150)

        // A full-refresh collection with its own table name, and a Redis source (the non-hash key is skipped).
        #expect(try Self.sync(other, "shop", "items")["rows"] as? Int == 3)
        #expect(try await Self.count(postgres, "\(schema)_out.all_items") == 3)
        #expect(try Self.sync(other, "shop", "items")["status"] as? String == "unchanged")
        #expect(try await Self.count(postgres, "\(schema)_out.all_items") == 3)
        // One changed value is a changed table: written again (full refreshes append).
        _ = try await postgres.psql("UPDATE \(schema).orders SET item = 'item two' WHERE id = 2")
        #expect(try Self.sync(other, "shop", "items")["status"] as? String == "ok")
        #expect(try await Self.count(postgres, "\(schema)_out.all_items") == 6)
        #expect(try Self.sync(other, "cache", "sessions")["rows"] as? Int == 2)
        #expect(try await postgres.psql("SELECT \"user\" FROM \(schema)_out.cache_sessions ORDER BY \"user\"") == "ann\nbob\n")

        // clear_cache through a non-owner: answered by the owner; the next run starts from scratch.
        let cleared = try other.request("POST", "/api/v1/sources/clear_cache", body: #"{"source":"shop","collection":"orders"}"#, token: Self.token)
        #expect(cleared.status == 200, "\(cleared.body)")
        #expect(Self.header(cleared, "X-Rivulet-Served-By") == owner)
        #expect(Self.json(cleared)["instance"] as? String == owner)
        #expect(Self.json(cleared)["cleared"] as? [String] == ["orders"])
        // Every node sees the cleared state within a gossip round or two.
        let spread = GossipClusterTests.time(within: 3) {
            let state = Self.collection(other, "shop", "orders")
            return state["cursor"] == nil && state["generation"] as? Int == 1
        }
        #expect(spread != nil, "\(Self.collection(other, "shop", "orders"))")
        #expect(try Self.sync(other, "shop", "orders")["rows"] as? Int == 150)
        // Written over the rows of the same primary key, not beside them.
        #expect(try await Self.count(postgres, "\(schema)_out.shop_orders") == 150)

        // clear_cache in the middle of a long sync: the run stops and its cursor never comes back.
        let bigStarted = try other.request("POST", "/api/v1/sources/shop/sync?collection=big", token: Self.token)
        #expect(bigStarted.status == 202)
        let midway = GossipClusterTests.time(within: 20) { Self.collection(other, "shop", "big")["cursor"] as? String != nil }
        #expect(midway != nil, "the big sync never recorded a cursor")
        // clear_cache answers once the run has stopped (its page in flight written), which takes a moment on a busy machine.
        let stop = try node1.request("POST", "/api/v1/sources/clear_cache?source=shop&collection=big", token: Self.token, timeout: 30)
        #expect(stop.status == 200, "\(stop.body)")
        _ = GossipClusterTests.time(within: 5) { Self.lastRun(other, "shop", "big")["status"] as? String == "cancelled" }
        try await Task.sleep(for: .seconds(1))
        let big = Self.collection(node1, "shop", "big")
        #expect(big["cursor"] == nil, "\(big)")
        #expect(big["generation"] as? Int == 1)
        #expect((big["last_run"] as? [String: Any])?["status"] as? String == "cancelled")

        // Every refusal.
        for (body, words) in [(#"{"source":"nope"}"#, "Source [nope] doesn't exist"), (#"{"source":"shop","collection":"nope"}"#, "Collection [nope]"),
                              (#"{}"#, "source is required"), ("", "source is required")] {
            let refused = try node1.request("POST", "/api/v1/sources/clear_cache", body: body, token: Self.token)
            #expect(refused.status == 400 && refused.body.contains(words), "\(body): \(refused.status) \(refused.body)")
        }
        #expect(try node1.get("/api/v1/sources/nope/status", token: Self.token).status == 400)
        #expect(try node1.request("POST", "/api/v1/sources/shop/sync?collection=nope", token: Self.token).status == 400)
        #expect(try node1.request("POST", "/api/v1/sources/clear_cache", body: #"{"source":"shop"}"#).status == 401)

        // The owner killed: another node owns the source within the detection bound and continues from the cursor.
        nodes[owner]!.signal(SIGKILL)
        _ = nodes[owner]!.waitForExit()
        let survivor = try #require(nodes.first { $0.key != owner }?.value)
        nodes[owner] = nil
        var successor: String?
        let moved = GossipClusterTests.time(within: 10) {
            successor = Self.owner(survivor, "shop")
            return successor != nil && successor != owner
        }
        #expect(moved != nil, "no new owner after the kill")
        _ = try await postgres.psql("INSERT INTO \(schema).orders SELECT g, 'item ' || g FROM generate_series(151, 160) g")
        let continued = try Self.sync(survivor, "shop", "orders")
        #expect(continued["instance"] as? String == successor)
        #expect(continued["rows"] as? Int == 10, "\(continued)")
    }
}
