import Loop

/// The driver for a source's type.
public enum SourceDrivers {
    public static func make(_ source: SourceConfig, loop: EventLoop) -> any SourceDriver {
        switch source.kind {
        case .postgres(let settings): PostgresSourceDriver(loop: loop, settings: settings)
        case .redis(let settings): RedisSourceDriver(loop: loop, settings: settings)
        }
    }
}
