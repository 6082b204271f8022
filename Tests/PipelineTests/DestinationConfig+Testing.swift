import NodeConfig
import Pipeline

extension DestinationConfig {
    /// `destinations.test` with the given keys, as the node reads it from YAML.
    static func testing(_ entries: [String: ConfigValue]) throws(ConfigError) -> DestinationConfig {
        try DestinationConfig(id: "test", value: .map(entries), path: "destinations.test")
    }
}
