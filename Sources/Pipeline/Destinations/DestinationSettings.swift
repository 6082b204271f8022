import NodeConfig

/// The type-specific part of a destination's configuration; one case per destination type. Adding a type means a
/// case here, its reading below, and its construction in `make`.
public enum DestinationSettings: Sendable {
    case file(FileDestination.Settings)
    /// `postgres`, and `redshift`, which speaks the same protocol and shares the code.
    case postgres(PostgresDestination.Settings)
    case s3(S3Destination.Settings)
    case webhook(WebhookDestination.Settings)
    case clickhouse(ClickHouseDestination.Settings)
    case redis(RedisDestination.Settings)

    /// The types `type:` accepts, for the error that names an unknown one.
    public static let types = ["clickhouse", "file", "postgres", "redis", "redshift", "s3", "webhook"]

    init(type: String, reader: inout SettingsReader) throws(ConfigError) {
        switch type {
        case "file": self = .file(try FileDestination.Settings(reading: &reader))
        case "postgres", "redshift": self = .postgres(try PostgresDestination.Settings(reading: &reader))
        case "s3": self = .s3(try S3Destination.Settings(reading: &reader))
        case "webhook": self = .webhook(try WebhookDestination.Settings(reading: &reader))
        case "clickhouse": self = .clickhouse(try ClickHouseDestination.Settings(reading: &reader))
        case "redis": self = .redis(try RedisDestination.Settings(reading: &reader))
        default:
            throw ConfigError.invalidValue(path: reader.path(of: "type"),
                                           reason: "unknown destination type \"\(type)\" (one of: \(Self.types.joined(separator: ", ")))")
        }
    }

    /// A destination for `config`, not yet connected: connections open on first use.
    public static func make(_ config: DestinationConfig, context: DestinationContext) -> any Destination {
        switch config.settings {
        case .file(let settings): FileDestination(id: config.id, settings: settings, context: context)
        case .postgres(let settings): PostgresDestination(id: config.id, settings: settings, context: context)
        case .s3(let settings): S3Destination(id: config.id, settings: settings, context: context)
        case .webhook(let settings): WebhookDestination(id: config.id, settings: settings, context: context)
        case .clickhouse(let settings): ClickHouseDestination(id: config.id, settings: settings, context: context)
        case .redis(let settings): RedisDestination(id: config.id, settings: settings, context: context)
        }
    }
}
