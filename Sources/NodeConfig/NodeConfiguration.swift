import Foundation
import Yams

/// A node's whole configuration, read from one YAML file per node.
///
/// Keys follow Jitsu's where Jitsu has them, so an existing Jitsu configuration needs few changes. Every section and
/// key is optional: an empty file, like no file, gives a working single node. Loading is strict, because a typo in a
/// key silently ignored would leave the node running on a default the operator thought they had changed.
public struct NodeConfiguration: Sendable, Equatable {
    /// The environment variable that overrides `server.admin_token`, so the token can stay out of files.
    public static let adminTokenVariable = "RIVULET_ADMIN_TOKEN"

    /// `server:`: identity, HTTP port, admin token, data directory and HTTP limits.
    public var server = ServerSettings()
    /// `cluster:`: gossip membership.
    public var cluster = ClusterSettings()
    /// `logging:`: level and format of the node's log.
    public var logging = LoggingSettings()
    /// `metrics:`: the Prometheus endpoint.
    public var metrics = MetricsSettings()
    /// `fallback:`: rotation of the files that keep refused events.
    public var fallback = FallbackSettings()
    /// `topics:`: the topic logs analytics connectors read.
    public var topics = TopicSettings()
    /// `api_keys:` as written (Jitsu's shape: who may send events and where they go); typed by the event API.
    public var apiKeys: ConfigValue?
    /// `destinations:` as written (where events are stored); typed by the pipeline.
    public var destinations: ConfigValue?
    /// `sources:` as written (databases and APIs synced on a schedule); typed by source sync.
    public var sources: ConfigValue?
    /// `iam:` as written (OAuth2 clients and their permissions); typed by authentication.
    public var iam: ConfigValue?

    /// A configuration with every default: a single node named `rivulet` on port 8001.
    public init() {}

    /// Parses, checks and returns the configuration in `yaml`, then applies the environment overrides
    /// (`RIVULET_ADMIN_TOKEN`, ignored when empty so that an unset compose variable does not blank the token).
    ///
    /// Throws `ConfigError` naming the key path on malformed YAML, unknown keys, wrong types and invalid values.
    public static func load(yaml: String, environment: [String: String]) throws(ConfigError) -> NodeConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError.malformedYAML(message: String(describing: error))
        }
        var configuration = NodeConfiguration()
        if let root {
            configuration = try NodeConfiguration(ConfigNode(node: root, path: ""))
        }
        if let token = environment[adminTokenVariable], !token.isEmpty {
            configuration.server.adminToken = token
        }
        try configuration.validate()
        return configuration
    }

    /// Reads the UTF-8 file at `path` and loads it as `load(yaml:environment:)` does.
    ///
    /// Throws `ConfigError.unreadableFile` when the file cannot be read; a node started without a file should load
    /// `embeddedDefault` instead.
    public static func load(path: String, environment: [String: String]) throws(ConfigError) -> NodeConfiguration {
        let yaml: String
        do {
            yaml = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError.unreadableFile(path: path, reason: error.localizedDescription)
        }
        return try load(yaml: yaml, environment: environment)
    }
}
