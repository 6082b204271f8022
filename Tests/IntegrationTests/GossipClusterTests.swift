import Foundation
import Testing
import TestSupport

/// Membership across real `rivulet serve` processes on loopback: join, crash, restart, leave, a wrong key.
@Suite(.serialized) struct GossipClusterTests {
    static let token = "it-token"
    static let key1 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let key2 = "HxwdHh8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRo="
    static let key3 = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="

    static func config(name: String, seeds: [Int] = [], secret: String? = nil) -> String {
        """
        server: {name: \(name), host: 127.0.0.1, port: 0, admin_token: \(token)}
        cluster:
          bind: 127.0.0.1:0
          seeds: [\(seeds.map { "127.0.0.1:\($0)" }.joined(separator: ", "))]
          \(secret.map { "secret: \($0)" } ?? "")
          gossip: {profile: loopback}
        logging: {level: info}
        """
    }

    struct Instance: Decodable, Equatable {
        let name: String
        let state: String
        let address: String?
        let roles: [String]?
    }

    struct Cluster: Decodable {
        let instances: [Instance]
    }

    static func instances(of node: NodeProcess, all: Bool = false) -> [Instance] {
        guard let response = try? node.get("/api/v1/cluster\(all ? "?all=true" : "")", token: token), response.status == 200,
              let cluster = try? JSONDecoder().decode(Cluster.self, from: Data(response.body.utf8)) else { return [] }
        return cluster.instances
    }

    /// Polls `condition` every 20 ms; returns the seconds it took, or nil after `seconds`.
    static func time(within seconds: Double, _ condition: () -> Bool) -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if condition() { return Date().timeIntervalSince(start) }
            usleep(20_000)
        }
        return nil
    }

    /// Runs the rivulet executable with `arguments` and returns its standard output.
    static func runCLI(_ arguments: [String]) throws -> String {
        let process = Process()
        let output = Pipe()
        process.executableURL = NodeProcess.executable
        process.arguments = arguments
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }

    static func logs(_ nodes: [NodeProcess]) -> String {
        nodes.map { "--- \($0.process.processIdentifier)\n\($0.log)" }.joined(separator: "\n")
    }

    @Test func threeNodesFindEachOtherDetectACrashWelcomeARestartAndSeeALeave() throws {
        let a = try NodeProcess(yaml: Self.config(name: "a"))
        let b = try NodeProcess(yaml: Self.config(name: "b", seeds: [a.gossipPort]))
        let c = try NodeProcess(yaml: Self.config(name: "c", seeds: [a.gossipPort]))
        var nodes = [a, b, c]
        defer { nodes.forEach { $0.terminate() } }

        let joined = Self.time(within: 3) {
            [a, b, c].allSatisfy { node in Self.instances(of: node).map(\.name) == ["a", "b", "c"] }
        }
        #expect(joined != nil, "not all listed each other within 3 s\n\(Self.logs(nodes))")
        let table = try Self.runCLI(["cluster", "--url", "http://127.0.0.1:\(b.httpPort)", "--token", Self.token])
        #expect(table.hasPrefix("NAME"))
        #expect(table.contains("127.0.0.1:\(c.gossipPort)"), "cluster table:\n\(table)")
        #expect(table.split(separator: "\n").count == 4)

        #expect(Self.instances(of: a).first { $0.name == "c" }?.roles == ["admin", "pipeline"])

        c.signal(SIGKILL)
        let detected = Self.time(within: 15) {
            [a, b].allSatisfy { Self.instances(of: $0).map(\.name) == ["a", "b"] }
        }
        #expect(detected != nil, "the crash of c was not detected within 15 s\n\(Self.logs(nodes))")
        #expect(Self.instances(of: a, all: true).first { $0.name == "c" }?.state == "dead")
        print("crash detected after \(detected.map { String(format: "%.2f s", $0) } ?? "-")")

        let restarted = try NodeProcess(yaml: Self.config(name: "c", seeds: [a.gossipPort]))
        nodes.append(restarted)
        let back = Self.time(within: 3) {
            [a, b].allSatisfy { node in
                Self.instances(of: node).contains { $0.name == "c" && $0.address == "127.0.0.1:\(restarted.gossipPort)" }
            }
        }
        #expect(back != nil, "the restarted c was not back within 3 s\n\(Self.logs(nodes))")

        b.signal(SIGTERM)
        let left = Self.time(within: 1) {
            Self.instances(of: a, all: true).first { $0.name == "b" }?.state == "left"
        }
        #expect(left != nil, "b was not seen as left within 1 s\n\(Self.logs(nodes))")
        #expect(b.waitForExit() == 0)
        #expect(!Self.instances(of: a).contains { $0.name == "b" })
    }

    @Test func nodesMidKeyRotationJoinAndANodeWithAnotherKeyNeverDoes() throws {
        // Rotation in progress: a still seals with key1, b already with key2; each accepts both.
        let a = try NodeProcess(yaml: Self.config(name: "a", secret: "[\(Self.key1), \(Self.key2)]"))
        let b = try NodeProcess(yaml: Self.config(name: "b", seeds: [a.gossipPort], secret: "[\(Self.key2), \(Self.key1)]"))
        let stranger = try NodeProcess(yaml: Self.config(name: "x", seeds: [a.gossipPort], secret: Self.key3))
        defer { [a, b, stranger].forEach { $0.terminate() } }
        let joined = Self.time(within: 3) {
            Self.instances(of: a).map(\.name) == ["a", "b"] && Self.instances(of: b).map(\.name) == ["a", "b"]
        }
        #expect(joined != nil, "nodes mid-rotation did not join\n\(Self.logs([a, b]))")
        let outsider = Self.time(within: 3) {
            Self.instances(of: a).contains { $0.name == "x" } || Self.instances(of: stranger).count > 1
        }
        #expect(outsider == nil, "a node under another key joined\n\(Self.logs([a, stranger]))")
        // The stranger's join arrives as a TCP state exchange that does not open under a's keys.
        let metrics = try a.get("/metrics").body
        #expect(metrics.contains(#"rivulet_gossip_dropped_total{reason="stream"}"#) || metrics.contains(#"rivulet_gossip_dropped_total{reason="key"}"#))
    }

    @Test func theLaterOfTwoLiveNodesWithOneNameRefusesToRun() throws {
        let first = try NodeProcess(yaml: Self.config(name: "twin"))
        let second = try NodeProcess(yaml: Self.config(name: "twin", seeds: [first.gossipPort]))
        defer { [first, second].forEach { $0.terminate() } }
        #expect(second.waitForExit(timeout: 10) == 1, "the later twin kept running\n\(Self.logs([first, second]))")
        #expect(second.log.contains("claims the name twin"))
        #expect(first.process.isRunning)
    }
}
