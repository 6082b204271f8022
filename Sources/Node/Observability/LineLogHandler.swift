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
        let time = Date().formatted(.iso8601.year().month().day().timeZone(separator: .omitted).time(includingFractionalSeconds: true).timeSeparator(.colon).dateSeparator(.dash))
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
