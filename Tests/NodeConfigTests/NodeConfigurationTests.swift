import Foundation
import Testing
import Gossip
@testable import NodeConfig

struct NodeConfigurationTests {
    @Test func emptyTextGivesEveryDefault() throws {
        #expect(try NodeConfiguration.load(yaml: "", environment: [:]) == NodeConfiguration())
        #expect(try NodeConfiguration.load(yaml: "# only a comment\n", environment: [:]) == NodeConfiguration())
        #expect(try NodeConfiguration.load(yaml: "server:\ncluster:\n", environment: [:]) == NodeConfiguration())
    }

    @Test func defaultsMatchTheDocumentedValues() {
        let configuration = NodeConfiguration()
        #expect(configuration.server.name == "rivulet")
        #expect(configuration.server.port == 8001)
        #expect(configuration.server.adminToken == nil)
        #expect(configuration.server.dataDirectory == "./data/rivulet")
        #expect(configuration.server.maxEventSize == 51_200)
        #expect(configuration.server.trustProxy == false)
        #expect(configuration.server.replayAllowedDirs.isEmpty)
        #expect(configuration.server.http.maxHeaderBytes == 16_384)
        #expect(configuration.server.http.maxBodyBytes == 10_485_760)
        #expect(configuration.server.http.headerTimeout == .seconds(10))
        #expect(configuration.server.http.idleTimeout == .seconds(60))
        #expect(configuration.server.http.drainTimeout == .seconds(10))
        #expect(configuration.cluster.name == "rivulet")
        #expect(configuration.cluster.bind == HostPort(host: "127.0.0.1", port: 7001))
        #expect(configuration.cluster.advertise == nil)
        #expect(configuration.cluster.seeds.isEmpty)
        #expect(configuration.cluster.secrets.isEmpty)
        #expect(configuration.cluster.gossip == .lan)
        #expect(configuration.logging.level == .info)
        #expect(configuration.logging.format == .text)
        #expect(configuration.metrics.enabled)
        #expect(configuration.metrics.path == "/metrics")
        #expect(configuration.apiKeys == nil)
    }

    @Test func embeddedDefaultLoadsToTheDefaults() throws {
        let configuration = try NodeConfiguration.load(yaml: NodeConfiguration.embeddedDefault, environment: [:])
        #expect(configuration == NodeConfiguration())
    }

    @Test func topicsSectionIsRead() throws {
        let configuration = try NodeConfiguration.load(yaml: """
            topics: {enabled: false, event_type_field: kind, namespace_field: meta.ns, topic_field: meta.name,
                     retention_hours: 24, retention_bytes: 1000}
            """, environment: [:])
        var expected = TopicSettings()
        expected.enabled = false
        expected.eventTypeField = "kind"
        expected.namespaceField = "meta.ns"
        expected.topicField = "meta.name"
        expected.retentionHours = 24
        expected.retentionBytes = 1000
        #expect(configuration.topics == expected)
    }

    @Test func dataDirectoryFollowsTheNameUnlessSet() throws {
        let named = try NodeConfiguration.load(yaml: "server: {name: edge-2}", environment: [:])
        #expect(named.server.dataDirectory == "./data/edge-2")
        let explicit = try NodeConfiguration.load(yaml: "server: {name: edge-2, data_dir: /srv/x}", environment: [:])
        #expect(explicit.server.dataDirectory == "/srv/x")
    }

    @Test func everyTypedKeyIsRead() throws {
        let yaml = """
            server:
              name: node7
              port: 0
              admin_token: "1234"
              data_dir: /var/lib/rivulet
              max_event_size: 1024
              trust_proxy: true
              replay_allowed_dirs: [/mnt/old]
              http: {max_header_bytes: 8192, max_body_bytes: 65536, header_timeout: 2.5,
                     idle_timeout: 1m30s, drain_timeout: 500ms}
            cluster:
              name: staging
              bind: "[::1]:0"
              advertise: node7.internal:7001
              seeds: [10.0.0.1:7001, "node2:7001"]
              secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
              gossip: {probe_interval: 200ms, probe_timeout: 0.1, gossip_nodes: 4}
              id_lane: 17
              tombstone_ttl: 1h
              forward_timeout: 2s
              testing: {partitions: true}
            logging: {level: debug, format: json}
            metrics: {enabled: no, path: /internal/metrics}
            """
        let configuration = try NodeConfiguration.load(yaml: yaml, environment: [:])
        var expected = NodeConfiguration()
        expected.server.name = "node7"
        expected.server.port = 0
        expected.server.adminToken = "1234"
        expected.server.dataDir = "/var/lib/rivulet"
        expected.server.maxEventSize = 1024
        expected.server.trustProxy = true
        expected.server.replayAllowedDirs = ["/mnt/old"]
        expected.server.http.maxHeaderBytes = 8192
        expected.server.http.maxBodyBytes = 65536
        expected.server.http.headerTimeout = .milliseconds(2500)
        expected.server.http.idleTimeout = .seconds(90)
        expected.server.http.drainTimeout = .milliseconds(500)
        expected.cluster.name = "staging"
        expected.cluster.idLane = 17
        expected.cluster.tombstoneTTL = .seconds(3600)
        expected.cluster.forwardTimeout = .seconds(2)
        expected.cluster.partitionAPI = true
        expected.cluster.gossip.clusterName = "staging"
        expected.cluster.bind = HostPort(host: "::1", port: 0)
        expected.cluster.advertise = HostPort(host: "node7.internal", port: 7001)
        expected.cluster.seeds = [HostPort(host: "10.0.0.1", port: 7001), HostPort(host: "node2", port: 7001)]
        expected.cluster.secrets = ["AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="]
        expected.cluster.gossip.probeInterval = .milliseconds(200)
        expected.cluster.gossip.probeTimeout = .milliseconds(100)
        expected.cluster.gossip.gossipNodes = 4
        expected.logging.level = .debug
        expected.logging.format = .json
        expected.metrics.enabled = false
        expected.metrics.path = "/internal/metrics"
        #expect(configuration == expected)
    }

    @Test func explicitNullKeepsTheDefault() throws {
        let configuration = try NodeConfiguration.load(yaml: "server:\n  port:\n  admin_token: ~\n", environment: [:])
        #expect(configuration == NodeConfiguration())
    }

    @Test func environmentTokenOverridesTheFile() throws {
        let yaml = "server: {admin_token: from-file}"
        let overridden = try NodeConfiguration.load(yaml: yaml, environment: ["RIVULET_ADMIN_TOKEN": "from-env"])
        #expect(overridden.server.adminToken == "from-env")
        let withoutFile = try NodeConfiguration.load(yaml: "", environment: ["RIVULET_ADMIN_TOKEN": "from-env"])
        #expect(withoutFile.server.adminToken == "from-env")
        let emptyVariable = try NodeConfiguration.load(yaml: yaml, environment: ["RIVULET_ADMIN_TOKEN": ""])
        #expect(emptyVariable.server.adminToken == "from-file")
        let unrelated = try NodeConfiguration.load(yaml: yaml, environment: ["ADMIN_TOKEN": "other"])
        #expect(unrelated.server.adminToken == "from-file")
    }

    @Test func passThroughSectionsKeepTheirTree() throws {
        let yaml = """
            api_keys:
              - {id: web, origins: ["*"], destinations: [pg]}
            destinations:
              base: &base {type: postgres, datasource: {host: localhost, port: 5432}}
              pg: {<<: *base, mode: stream, ratio: 0.5, enabled: true, note: null, at: 2024-01-01}
            sources: {}
            iam: {clients: []}
            """
        let configuration = try NodeConfiguration.load(yaml: yaml, environment: [:])
        #expect(configuration.apiKeys == .array([
            .map(["id": .string("web"), "origins": .array([.string("*")]), "destinations": .array([.string("pg")])]),
        ]))
        let pg = try #require(configuration.destinations?["pg"])
        #expect(pg["type"]?.stringValue == "postgres")
        #expect(pg["mode"]?.stringValue == "stream")
        #expect(pg["datasource"]?["port"] == .int(5432))
        #expect(pg["ratio"] == .double(0.5))
        #expect(pg["enabled"] == .bool(true))
        #expect(pg["note"] == .null)
        #expect(pg["at"] == .string("2024-01-01"))
        #expect(configuration.sources == .map([:]))
        #expect(configuration.iam == .map(["clients": .array([])]))
    }

    @Test func mergeKeysApplyInTypedSectionsAndExplicitKeysWin() throws {
        let yaml = """
            server:
              <<: [{name: first, port: 9000}, {name: second, max_event_size: 10}]
              port: 9001
            """
        let configuration = try NodeConfiguration.load(yaml: yaml, environment: [:])
        #expect(configuration.server.name == "first")
        #expect(configuration.server.port == 9001)
        #expect(configuration.server.maxEventSize == 10)
    }

    @Test func gossipKeysOverrideTheChosenProfile() throws {
        let yaml = """
            cluster:
              name: blue
              gossip:
                profile: loopback
                probe_interval: 2s
                gossip_to_dead: 1m
                suspicion_max_mult: 5
            """
        let gossip = try NodeConfiguration.load(yaml: yaml, environment: [:]).cluster.gossip
        var expected = GossipSettings.loopback
        expected.clusterName = "blue"
        expected.probeInterval = .seconds(2)
        expected.gossipToTheDead = .seconds(60)
        expected.suspicionMaxTimeoutMultiplier = 5
        #expect(gossip == expected)
    }

    @Test func secretTakesOneKeyOrARotationList() throws {
        let key1 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
        let key2 = "HxwdHh8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRo="
        let one = try NodeConfiguration.load(yaml: "cluster: {secret: \(key1)}", environment: [:])
        #expect(one.cluster.secrets == [key1])
        let list = try NodeConfiguration.load(yaml: "cluster: {secret: [\(key1), \(key2)]}", environment: [:])
        #expect(list.cluster.secrets == [key1, key2])
        #expect {
            try NodeConfiguration.load(yaml: "cluster: {secret: [\(key1), c2hvcnQ=]}", environment: [:])
        } throws: { error in
            (error as? ConfigError)?.path == "cluster.secret[1]"
        }
    }

    @Test func missingFileIsReportedWithItsPath() {
        #expect {
            try NodeConfiguration.load(path: "/nonexistent/rivulet.yaml", environment: [:])
        } throws: { error in
            (error as? ConfigError)?.description.hasPrefix("/nonexistent/rivulet.yaml: cannot read") == true
        }
    }
}
