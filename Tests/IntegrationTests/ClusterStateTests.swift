import Cluster
import Foundation
import Testing
import TestSupport

/// The replicated admin map and forwarding across real `rivulet serve` processes on loopback.
@Suite(.serialized) struct ClusterStateTests {
    static let token = GossipClusterTests.token
    static let secret = GossipClusterTests.key1

    /// A node with a short push-pull interval (the state sync runs at the same pace) and its own data directory.
    static func config(name: String, dataDir: String, seeds: [Int] = [], secret: String? = nil, partitions: Bool = false, pushPull: String = "1s") -> String {
        """
        server: {name: \(name), host: 127.0.0.1, port: 0, admin_token: \(token), data_dir: \(dataDir)}
        cluster:
          bind: 127.0.0.1:0
          seeds: [\(seeds.map { "127.0.0.1:\($0)" }.joined(separator: ", "))]
          \(secret.map { "secret: \($0)" } ?? "")
          forward_timeout: 2s
          testing: {partitions: \(partitions)}
          gossip: {profile: loopback, push_pull_interval: \(pushPull)}
        logging: {level: info}
        """
    }

    /// A scratch directory holding the nodes' data directories, removed at the end.
    final class Scratch {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-state-\(UUID().uuidString)")
        func dataDir(_ name: String) -> String { url.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    /// Three nodes that list each other.
    static func cluster(_ scratch: Scratch, secret: String? = nil, partitions: Bool = false, pushPull: String = "1s") throws -> [NodeProcess] {
        let node1 = try NodeProcess(yaml: config(name: "node1", dataDir: scratch.dataDir("node1"), secret: secret, partitions: partitions, pushPull: pushPull))
        let node2 = try NodeProcess(yaml: config(name: "node2", dataDir: scratch.dataDir("node2"), seeds: [node1.gossipPort], secret: secret, partitions: partitions, pushPull: pushPull))
        let node3 = try NodeProcess(yaml: config(name: "node3", dataDir: scratch.dataDir("node3"), seeds: [node1.gossipPort], secret: secret, partitions: partitions, pushPull: pushPull))
        let nodes = [node1, node2, node3]
        let joined = GossipClusterTests.time(within: 5) {
            nodes.allSatisfy { GossipClusterTests.instances(of: $0).count == 3 }
        }
        #expect(joined != nil, "the three nodes did not join\n\(GossipClusterTests.logs(nodes))")
        return nodes
    }

    static func put(_ node: NodeProcess, _ key: String, _ json: String) throws -> RawResponse {
        try node.request("PUT", "/api/v1/state/\(encode(key))", body: json, token: token)
    }

    static func value(_ node: NodeProcess, _ key: String) -> String? {
        guard let response = try? node.get("/api/v1/state/\(encode(key))", token: token), response.status == 200,
              let entry = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any],
              let value = entry["value"] else { return nil }
        return String(decoding: try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    static func version(_ node: NodeProcess, _ key: String) -> String? {
        guard let response = try? node.get("/api/v1/state/\(encode(key))", token: token), response.status == 200,
              let entry = try? JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any] else { return nil }
        return entry["version"] as? String
    }

    static func encode(_ key: String) -> String {
        key.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.")))!
    }

    @Test func aWriteOnOneNodeIsReadOnEveryNodeAndSurvivesACrashAndRestart() throws {
        let scratch = Scratch()
        // No periodic sync in the test's time: gossip spreads the write, and the restarted node catches up
        // because the others sync with a member that comes back.
        var nodes = try Self.cluster(scratch, pushPull: "60s")
        defer { nodes.forEach { $0.terminate() } }
        let (node1, node2, node3) = (nodes[0], nodes[1], nodes[2])

        let written = try Self.put(node1, "connector/17", #"{"name":"orders","topics":["a"]}"#)
        #expect(written.status == 200, "\(written.body)")
        let spread = GossipClusterTests.time(within: 2) {
            [node2, node3].allSatisfy { Self.value($0, "connector/17") == #"{"name":"orders","topics":["a"]}"# }
        }
        #expect(spread != nil, "node3 did not have the record within 2 s\n\(GossipClusterTests.logs(nodes))")
        print("record written on node1 readable on node3 after \(spread.map { String(format: "%.3f s", $0) } ?? "-")")

        node2.signal(SIGKILL)
        _ = node2.waitForExit()
        #expect(try Self.put(node1, "connector/18", #"{"name":"later"}"#).status == 200)
        #expect(try node1.request("DELETE", "/api/v1/state/connector%2F17", token: Self.token).status == 200)
        let restarted = try NodeProcess(yaml: Self.config(name: "node2", dataDir: scratch.dataDir("node2"), seeds: [node1.gossipPort], pushPull: "60s"))
        nodes.append(restarted)
        let caughtUp = GossipClusterTests.time(within: 3) {
            Self.value(restarted, "connector/18") == #"{"name":"later"}"# && Self.value(restarted, "connector/17") == nil
        }
        #expect(caughtUp != nil, "the restarted node2 did not catch up\n\(GossipClusterTests.logs(nodes))")
        print("restarted node2 caught up after \(caughtUp.map { String(format: "%.3f s", $0) } ?? "-")")
        let listing = try restarted.get("/api/v1/state?prefix=connector/", token: Self.token)
        #expect(listing.body.contains(#""key":"connector/18""#) && !listing.body.contains(#""key":"connector/17""#), "\(listing.body)")
    }

    @Test func aNodeKeepsItsRecordsOnDiskAcrossAKill() throws {
        let scratch = Scratch()
        let first = try NodeProcess(yaml: Self.config(name: "solo", dataDir: scratch.dataDir("solo")))
        defer { first.terminate() }
        #expect(try Self.put(first, "source/orders/cache", #"{"generation":3}"#).status == 200)
        first.signal(SIGKILL)
        _ = first.waitForExit()
        let second = try NodeProcess(yaml: Self.config(name: "solo", dataDir: scratch.dataDir("solo")))
        defer { second.terminate() }
        #expect(Self.value(second, "source/orders/cache") == #"{"generation":3}"#)
    }

    @Test func badWritesAreRefusedWithTheReason() throws {
        let scratch = Scratch()
        let node = try NodeProcess(yaml: Self.config(name: "solo", dataDir: scratch.dataDir("solo")))
        defer { node.terminate() }
        let notJSON = try Self.put(node, "kv/x", "{oops")
        #expect(notJSON.status == 400)
        #expect(notJSON.body.contains("JSON"))
        let tooLarge = try Self.put(node, "kv/x", "\"" + String(repeating: "a", count: 70_000) + "\"")
        #expect(tooLarge.status == 413)
        #expect(try node.get("/api/v1/state/kv%2Fmissing", token: Self.token).status == 404)
        #expect(try node.request("DELETE", "/api/v1/state/kv%2Fmissing", token: Self.token).status == 404)
        #expect(try node.get("/api/v1/state/kv%2Fx").status == 401)
    }

    @Test func writesOnBothSidesOfAPartitionMeetWhenItHeals() throws {
        let scratch = Scratch()
        let nodes = try Self.cluster(scratch, partitions: true)
        defer { nodes.forEach { $0.terminate() } }
        let (node1, node2, node3) = (nodes[0], nodes[1], nodes[2])
        func cut(_ node: NodeProcess, from others: [NodeProcess]) throws {
            let body = #"{"unreachable":[\#(others.map { "\"127.0.0.1:\($0.gossipPort)\"" }.joined(separator: ","))]}"#
            let response = try node.request("PUT", "/api/v1/cluster/partition", body: body, token: Self.token)
            #expect(response.status == 200, "\(response.body)")
        }
        try cut(node1, from: [node2, node3])
        try cut(node2, from: [node1])
        try cut(node3, from: [node1])

        #expect(try Self.put(node1, "kv/left", #""from node1""#).status == 200)
        #expect(try Self.put(node3, "kv/right", #""from node3""#).status == 200)
        // node3 writes first; node1's later write must win everywhere although node3's name would win a tie.
        #expect(try Self.put(node3, "kv/contested", #""node3's""#).status == 200)
        usleep(20_000)
        #expect(try Self.put(node1, "kv/contested", #""node1's""#).status == 200)
        // Long enough for gossip to have carried the writes were it not cut, and for each side to declare the other dead.
        let leaked = GossipClusterTests.time(within: 6) { Self.value(node2, "kv/left") != nil || Self.value(node1, "kv/right") != nil }
        #expect(leaked == nil, "a write crossed the partition")

        for node in nodes { try cut(node, from: []) }
        let healed = GossipClusterTests.time(within: 10) {
            nodes.allSatisfy { Self.value($0, "kv/left") == #""from node1""# && Self.value($0, "kv/right") == #""from node3""# }
                && Set(nodes.map { Self.version($0, "kv/contested") ?? "" }).count == 1
        }
        #expect(healed != nil, "the two sides did not converge\n\(GossipClusterTests.logs(nodes))")
        print("partition healed: converged after \(healed.map { String(format: "%.3f s", $0) } ?? "-")")
        #expect(nodes.allSatisfy { Self.value($0, "kv/contested") == #""node1's""# }, "the later write wins everywhere")
    }

    @Test func aCallForAnotherNodeIsForwardedAndFailsClearlyWhenThatNodeIsGone() throws {
        let scratch = Scratch()
        let nodes = try Self.cluster(scratch, secret: Self.secret)
        defer { nodes.forEach { $0.terminate() } }
        let (node1, node2, node3) = (nodes[0], nodes[1], nodes[2])

        let forwarded = try node1.get("/api/v1/nodes/node2", token: Self.token)
        #expect(forwarded.status == 200, "\(forwarded.body)")
        #expect(forwarded.body.contains(#""name":"node2""#))
        #expect(forwarded.headers["x-rivulet-served-by"] == "node2")

        let listing = try node3.get("/api/v1/nodes", token: Self.token)
        #expect(listing.body.contains(#""name":"node1""#) && listing.body.contains(#""name":"node2""#) && listing.body.contains(#""name":"node3""#), "\(listing.body)")
        #expect(listing.body.contains(#""partial":[]"#))

        // Every node names the same owner for a key.
        for key in ["source%2Forders", "source%2Fusers", "source%2Fpayments"] {
            let owners = Set(nodes.map { node -> String in
                let body = (try? node.get("/api/v1/cluster/owners/\(key)", token: Self.token).body) ?? ""
                return (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["owner"] as? String ?? "none: \(body)"
            })
            #expect(owners.count == 1 && owners.isSubset(of: ["node1", "node2", "node3"]), "\(owners)")
        }

        // A forwarded call needs a valid, fresh, unused signature made for the node it reaches.
        let signature = ForwardSignature(secrets: [Array(Data(base64Encoded: Self.secret)!)])
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let signed = signature.sign(method: "GET", target: "/api/v1/nodes/node3", body: [], from: "node2", to: "node1", at: now)
        let headers = ["X-Rivulet-Forwarded-By": "node2", "X-Rivulet-Signature": signed]
        let notOwner = try node1.request("GET", "/api/v1/nodes/node3", token: Self.token, headers: headers)
        #expect(notOwner.status == 409, "\(notOwner.body)")
        #expect(notOwner.body.contains(#""owner":"node3""#))
        let replayed = try node1.request("GET", "/api/v1/nodes/node3", token: Self.token, headers: headers)
        #expect(replayed.status == 401, "\(replayed.body)")
        let forgedValue = "t=\(now),n=node2,r=node1,x=\(String(repeating: "0", count: 32)),v2=\(String(repeating: "0", count: 64))"
        let forged = try node1.request("GET", "/api/v1/nodes", token: Self.token,
                                       headers: ["X-Rivulet-Forwarded-By": "node2", "X-Rivulet-Signature": forgedValue])
        #expect(forged.status == 401)
        #expect(forged.body.contains("signature does not match"), "\(forged.body)")
        // A call captured on its way to node3 is refused by node1.
        let forNode3 = signature.sign(method: "GET", target: "/api/v1/nodes/node3", body: [], from: "node2", to: "node3", at: now)
        let redirected = try node1.request("GET", "/api/v1/nodes/node3", token: Self.token,
                                           headers: ["X-Rivulet-Forwarded-By": "node2", "X-Rivulet-Signature": forNode3])
        #expect(redirected.status == 401, "\(redirected.body)")
        #expect(redirected.body.contains("addressed to another node"), "\(redirected.body)")
        let unsigned = try node1.request("GET", "/api/v1/nodes", token: Self.token, headers: ["X-Rivulet-Forwarded-By": "node2"])
        #expect(unsigned.status == 401)

        node2.signal(SIGKILL)
        _ = node2.waitForExit()
        let started = Date()
        let gone = try node1.get("/api/v1/nodes/node2", token: Self.token)
        #expect(gone.status == 503, "\(gone.body)")
        #expect(gone.body.contains("node2"))
        #expect(Date().timeIntervalSince(started) < 3, "the 503 came after the forward timeout")
        let partial = try node1.get("/api/v1/nodes", token: Self.token)
        #expect(partial.body.contains(#""partial":["node2"]"#), "\(partial.body)")
    }
}
