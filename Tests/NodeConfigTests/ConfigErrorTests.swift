import Testing
import NodeConfig

/// A configuration that must be refused, and the exact message the operator sees.
struct RejectedConfiguration: Sendable, CustomTestStringConvertible {
    let yaml: String
    let message: String
    var environment: [String: String] = [:]

    var testDescription: String { message }
}

struct ConfigErrorTests {
    static let rejected: [RejectedConfiguration] = [
        // Unknown keys, with and without a suggestion.
        .init(yaml: "server: {prot: 1}", message: #"server.prot: unknown key (did you mean "port"?)"#),
        .init(yaml: "srever: {}", message: #"srever: unknown key (did you mean "server"?)"#),
        .init(yaml: "server: {http: {max_body: 1}}",
              message: #"server.http.max_body: unknown key (did you mean "max_body_bytes"?)"#),
        .init(yaml: "cluster: {seed: []}", message: #"cluster.seed: unknown key (did you mean "seeds"?)"#),
        .init(yaml: "cluster: {gossip: {probe_intervall: 1s}}",
              message: #"cluster.gossip.probe_intervall: unknown key (did you mean "probe_interval"?)"#),
        .init(yaml: "logging: {colour: true}", message: "logging.colour: unknown key"),
        .init(yaml: "metrics: {Path: /m}", message: #"metrics.Path: unknown key (did you mean "path"?)"#),
        // Wrong YAML types.
        .init(yaml: "server: {port: abc}", message: #"server.port: expected an integer, got "abc""#),
        .init(yaml: "server: {port: 80.5}", message: "server.port: expected an integer, got 80.5"),
        .init(yaml: "server: {port: \"8001\"}", message: #"server.port: expected an integer, got "8001""#),
        .init(yaml: "server: {name: [a]}", message: "server.name: expected a string, got a list"),
        .init(yaml: "server: {admin_token: 1234}", message: "server.admin_token: expected a string, got 1234"),
        .init(yaml: "server: {trust_proxy: maybe}",
              message: #"server.trust_proxy: expected true or false, got "maybe""#),
        .init(yaml: "server: {replay_allowed_dirs: /tmp}",
              message: #"server.replay_allowed_dirs: expected a list, got "/tmp""#),
        .init(yaml: "server: {replay_allowed_dirs: [/tmp, 5]}",
              message: "server.replay_allowed_dirs[1]: expected a string, got 5"),
        .init(yaml: "server: 8001", message: "server: expected a mapping, got 8001"),
        .init(yaml: "server: {[a]: 1}", message: "server: mapping keys must be plain strings"),
        .init(yaml: "destinations: {pg: {port: 99999999999999999999}}",
              message: "destinations.pg.port: 99999999999999999999 does not fit in a 64-bit integer"),
        .init(yaml: "- server", message: "top level: expected a mapping, got a list"),
        .init(yaml: "metrics: {enabled: 1}", message: "metrics.enabled: expected true or false, got 1"),
        .init(yaml: "server: {http: {idle_timeout: true}}",
              message: "server.http.idle_timeout: expected a duration, got true"),
        .init(yaml: "cluster: {gossip: {gossip_nodes: 2.5}}",
              message: "cluster.gossip.gossip_nodes: expected an integer, got 2.5"),
        .init(yaml: "cluster: {gossip: [probe_interval]}", message: "cluster.gossip: expected a mapping, got a list"),
        .init(yaml: "server: {port: 99999999999999999999}",
              message: "server.port: 99999999999999999999 does not fit in a 64-bit integer"),
        // Invalid values.
        .init(yaml: "server: {http: {header_timeout: 10 s}}",
              message: #"server.http.header_timeout: "10 s" is not a duration (use a number of seconds, or a string "#
                  + #"such as "500ms", "10s", "1m", "2h")"#),
        .init(yaml: "cluster: {roles: [admin, Pipeline]}",
              message: #"cluster.roles[1]: "Pipeline" must be lower-case letters, digits, _ or -"#),
        .init(yaml: "cluster: {seeds: [127.0.0.1:7002, 127.0.0.1]}",
              message: #"cluster.seeds[1]: "127.0.0.1" is not host:port (port 0...65535)"#),
        .init(yaml: "cluster: {bind: \"127.0.0.1:70000\"}",
              message: #"cluster.bind: "127.0.0.1:70000" is not host:port (port 0...65535)"#),
        .init(yaml: "cluster: {advertise: \":7001\"}",
              message: #"cluster.advertise: ":7001" is not host:port (port 0...65535)"#),
        .init(yaml: "logging: {level: verbose}",
              message: #"logging.level: "verbose" is not one of trace, debug, info, notice, warning, error, critical"#),
        .init(yaml: "logging: {format: xml}", message: #"logging.format: "xml" is not one of text, json"#),
        // Rules checked after decoding.
        .init(yaml: "server: {name: \"my node\"}",
              message: #"server.name: "my node" must be non-empty letters, digits, '.', '_' or '-' (it is part of "#
                  + "file names)"),
        .init(yaml: "server: {name: \"../etc\"}",
              message: #"server.name: "../etc" must be non-empty letters, digits, '.', '_' or '-' (it is part of "#
                  + "file names)"),
        .init(yaml: "server: {name: \"..\"}",
              message: #"server.name: ".." must be non-empty letters, digits, '.', '_' or '-' (it is part of "#
                  + "file names)"),
        .init(yaml: "server: {name: \"\"}",
              message: #"server.name: "" must be non-empty letters, digits, '.', '_' or '-' (it is part of "#
                  + "file names)"),
        .init(yaml: "server: {port: 65536}", message: "server.port: 65536 is out of range 0...65535"),
        .init(yaml: "server: {port: -1}", message: "server.port: -1 is out of range 0...65535"),
        .init(yaml: "server: {admin_token: \"\"}",
              message: "server.admin_token: must not be empty (omit it instead)"),
        .init(yaml: "server: {data_dir: \"\"}", message: "server.data_dir: must not be empty (omit it instead)"),
        .init(yaml: "server: {max_event_size: 0}", message: "server.max_event_size: must be greater than zero"),
        .init(yaml: "server: {replay_allowed_dirs: [/a, \"\"]}",
              message: "server.replay_allowed_dirs[1]: must not be empty"),
        .init(yaml: "server: {http: {max_header_bytes: -5}}",
              message: "server.http.max_header_bytes: must be greater than zero"),
        .init(yaml: "server: {http: {max_body_bytes: 0}}",
              message: "server.http.max_body_bytes: must be greater than zero"),
        .init(yaml: "server: {http: {drain_timeout: 0}}",
              message: "server.http.drain_timeout: must be greater than zero"),
        .init(yaml: "server: {http: {idle_timeout: -1}}",
              message: "server.http.idle_timeout: must be greater than zero"),
        .init(yaml: "server: {http: {header_timeout: \"0\"}}",
              message: "server.http.header_timeout: must be greater than zero"),
        .init(yaml: "cluster: {name: \"\"}", message: "cluster.name: must not be empty"),
        .init(yaml: "cluster: {advertise: \"10.0.0.1:0\"}",
              message: #"cluster.advertise: "10.0.0.1:0" has port 0, which cannot be dialled"#),
        .init(yaml: "cluster: {seeds: [\"node2:0\"]}",
              message: #"cluster.seeds[0]: "node2:0" has port 0, which cannot be dialled"#),
        .init(yaml: "cluster: {id_lane: 1024}", message: "cluster.id_lane: 1024 is not a lane from 0 to 1023"),
        .init(yaml: "cluster: {tombstone_ttl: 500ms}", message: "cluster.tombstone_ttl: must be at least 1s"),
        .init(yaml: "cluster: {forward_timeout: 0}", message: "cluster.forward_timeout: must be positive"),
        .init(yaml: "cluster: {testing: {partition: true}}",
              message: #"cluster.testing.partition: unknown key (did you mean "partitions"?)"#),
        .init(yaml: "cluster: {secret: c2hvcnQ=}",
              message: "cluster.secret: must be the base64 encoding of exactly 32 bytes (generate one with "
                  + "`openssl rand -base64 32`)"),
        .init(yaml: "cluster: {secret: \"not base64!\"}",
              message: "cluster.secret: must be the base64 encoding of exactly 32 bytes (generate one with "
                  + "`openssl rand -base64 32`)"),
        .init(yaml: "cluster: {gossip: {probe_timeout: 0ms}}",
              message: "cluster.gossip.probe_timeout: must be at least 1 ms"),
        .init(yaml: "cluster: {gossip: {retransmit_mult: 0}}",
              message: "cluster.gossip.retransmit_mult: must be 1 to 64"),
        .init(yaml: "metrics: {path: metrics}", message: #"metrics.path: "metrics" must start with "/""#),
        .init(yaml: "topics: {event_type_field: meta.type}", message: "topics.event_type_field: must be a top-level field name (no dots)"),
        .init(yaml: "topics: {topic_field: \"a..b\"}", message: "topics.topic_field: must be a field name, with dots between nested names"),
        .init(yaml: "topics: {retention_hours: 0}", message: "topics.retention_hours: must be positive"),
    ]

    @Test(arguments: rejected)
    func rejectedConfigurationNamesTheKey(_ case: RejectedConfiguration) {
        #expect {
            try NodeConfiguration.load(yaml: `case`.yaml, environment: `case`.environment)
        } throws: { error in
            (error as? ConfigError)?.description == `case`.message
        }
    }

    @Test func malformedYAMLIsReportedAsSuch() {
        for yaml in ["server: {port: 1", "server:\n  port: 1\n  port: 2\n", "a: *undefined"] {
            #expect {
                try NodeConfiguration.load(yaml: yaml, environment: [:])
            } throws: { error in
                guard case .malformedYAML = error as? ConfigError else { return false }
                return true
            }
        }
    }

    @Test func everyErrorAboutAValueCarriesItsPath() {
        #expect(ConfigError.unknownKey(path: "a.b", suggestion: nil).path == "a.b")
        #expect(ConfigError.typeMismatch(path: "a", expected: "x", found: "y").path == "a")
        #expect(ConfigError.invalidValue(path: "a[0]", reason: "r").path == "a[0]")
        #expect(ConfigError.malformedYAML(message: "m").path == nil)
        #expect(ConfigError.unreadableFile(path: "/f", reason: "r").path == nil)
    }
}
