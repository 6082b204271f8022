import NodeConfig

/// One entry of `destinations:` (Jitsu's shape), checked when the node starts or a test request arrives.
///
/// ```yaml
/// destinations:
///   pg: {type: postgres, mode: stream, datasource: {...}, data_layout: {table_name_template: "{{.event_type}}"}}
/// ```
public struct DestinationConfig: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        /// Delivered within a second, in micro-batches.
        case stream
        /// Delivered every `batch_period_sec`, in bulk per table.
        case batch
    }

    public let id: String
    /// As written (`postgres`, `redshift`, ...).
    public let type: String
    public let mode: Mode
    /// `batch_period_sec` (default 60): how often a batch-mode destination delivers.
    public let batchPeriod: Duration
    /// `data_layout.table_name_template` (default `events`), evaluated per event with `reformat`.
    public let tableNameTemplate: String
    /// The type's own keys, read into its settings.
    public let settings: DestinationSettings

    /// Reads `value` found at `path` (`destinations.pg`); throws `ConfigError` naming the key on any problem,
    /// including a missing or unknown `type` and the type's own keys.
    public init(id: String, value: ConfigValue, path: String) throws(ConfigError) {
        var reader = try SettingsReader(value, path: path)
        self.id = id
        type = try reader.requiredString("type")
        let modeText = try reader.string("mode") ?? Mode.stream.rawValue
        guard let mode = Mode(rawValue: modeText) else {
            throw ConfigError.invalidValue(path: reader.path(of: "mode"), reason: "must be stream or batch, not \"\(modeText)\"")
        }
        self.mode = mode
        let period = try reader.int("batch_period_sec") ?? 60
        guard period >= 1 else {
            throw ConfigError.invalidValue(path: reader.path(of: "batch_period_sec"), reason: "must be at least 1")
        }
        batchPeriod = .seconds(period)
        var layout = try reader.section("data_layout")
        tableNameTemplate = try layout.string("table_name_template") ?? "events"
        try layout.finish()
        settings = try DestinationSettings(type: type, reader: &reader)
        try reader.finish()
    }

    /// Every entry of a `destinations:` mapping, sorted by id.
    public static func all(in value: ConfigValue?) throws(ConfigError) -> [DestinationConfig] {
        guard let value, value != .null else { return [] }
        guard case .map(let entries) = value else {
            throw ConfigError.typeMismatch(path: "destinations", expected: "a mapping of destination ids", found: "\(value)")
        }
        var configs: [DestinationConfig] = []
        for id in entries.keys.sorted() {
            configs.append(try DestinationConfig(id: id, value: entries[id]!, path: "destinations.\(id)"))
        }
        return configs
    }
}
