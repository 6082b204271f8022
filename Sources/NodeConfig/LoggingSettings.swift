/// The `logging:` section: how much the node logs and in which shape.
public struct LoggingSettings: Sendable, Equatable {
    /// A log level, ordered from most to least verbose; the names are swift-log's.
    public enum Level: String, CaseIterable, Sendable {
        /// The levels of swift-log's `Logger.Level`, so the value maps onto it one to one.
        case trace, debug, info, notice, warning, error, critical
    }

    /// A log line format.
    public enum Format: String, CaseIterable, Sendable {
        /// One human-readable line per record, for terminals.
        case text
        /// One JSON object per line, for log collectors.
        case json
    }

    /// `logging.level`, default `info`. Records below this level are dropped; `debug` and `trace` log per packet
    /// and per request, which costs throughput on a busy node.
    public var level = Level.info

    /// `logging.format`, default `text`. Use `json` when a collector parses the output.
    public var format = Format.text

    /// Settings with every default.
    public init() {}
}
