import Foundation
import Logging
import NodeConfig

/// One log line per event on standard error, as text (`2026-11-23T10:00:00.123Z info rivulet.http: message k=v`)
/// or as one JSON object per line for log shippers (`logging.format`).
struct LineLogHandler: LogHandler {
    let label: String
    let format: LoggingSettings.Format
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let time = Self.timestamp()
        let line: String
        switch format {
        case .text:
            let pairs = merged.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            line = "\(time) \(event.level) \(label): \(event.message)\(pairs)\n"
        case .json:
            var object: [String: String] = ["time": time, "level": "\(event.level)", "logger": label, "message": "\(event.message)"]
            for (key, value) in merged { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self) + "\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// UTC RFC 3339 with milliseconds (`2026-11-23T10:00:00.123Z`), formatted by hand: Foundation's date formatting
    /// loads its ICU data, about 4 MB of resident memory for one string per log line.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(now.tv_nsec / 1_000_000), 3))Z"
    }

    /// Installs the handler for the whole process; swift-log allows this once, so only the executable calls it.
    static func bootstrap(_ settings: LoggingSettings) {
        LoggingSystem.bootstrap { label in
            LineLogHandler(label: label, format: settings.format, logLevel: Logger.Level(rawValue: settings.level.rawValue) ?? .info)
        }
    }
}

/// The executable's entry to install the node's log format.
public enum NodeLogging {
    public static func bootstrap(_ settings: LoggingSettings) { LineLogHandler.bootstrap(settings) }
}
