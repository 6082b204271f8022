/// Why a node configuration could not be loaded.
///
/// Every case that concerns a value carries its full key path (`server.http.idle_timeout`, `cluster.seeds[1]`), so the
/// message alone tells the operator which line to fix. `description` is the text `rivulet serve` prints before exiting.
public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The configuration file could not be read (missing, unreadable, not UTF-8).
    case unreadableFile(path: String, reason: String)
    /// The text is not well-formed YAML; `message` is the parser's own report, with line and column.
    case malformedYAML(message: String)
    /// A key that the section does not define, with the nearest known key when one is close enough to be a typo.
    case unknownKey(path: String, suggestion: String?)
    /// The value has the wrong YAML type, for example a string where an integer belongs.
    case typeMismatch(path: String, expected: String, found: String)
    /// The value has the right type but is not allowed: out of range, malformed address, bad duration.
    case invalidValue(path: String, reason: String)

    /// The key path the error is about (empty for the document itself), or nil when it concerns the whole file.
    public var path: String? {
        switch self {
        case .unreadableFile, .malformedYAML:
            nil
        case .unknownKey(let path, _), .typeMismatch(let path, _, _), .invalidValue(let path, _):
            path
        }
    }

    public var description: String {
        let location = path?.isEmpty == true ? "top level" : path ?? ""
        return switch self {
        case .unreadableFile(let path, let reason):
            "\(path): cannot read the configuration file: \(reason)"
        case .malformedYAML(let message):
            "the configuration is not valid YAML: \(message)"
        case .unknownKey(_, let suggestion?):
            "\(location): unknown key (did you mean \"\(suggestion)\"?)"
        case .unknownKey(_, nil):
            "\(location): unknown key"
        case .typeMismatch(_, let expected, let found):
            "\(location): expected \(expected), got \(found)"
        case .invalidValue(_, let reason):
            "\(location): \(reason)"
        }
    }
}
