/// Reads one section kept as a `ConfigValue` (`destinations.pg.datasource`) into a module's typed settings, with the
/// same strictness as the node's own sections: every error names the key path, and a key nobody asked for fails
/// with the closest known key as a suggestion.
///
/// The module that owns a section (the pipeline for `destinations`) calls the typed readers once per key it knows,
/// then `finish()`. JSON bodies (`POST /api/v1/destinations/test`) are read through the same type, so a destination
/// in a request fails exactly as it would in the file.
public struct SettingsReader {
    public let path: String
    private let entries: [String: ConfigValue]
    private var known: [String] = []

    /// A reader over the mapping `value` found at `path`; null is an empty mapping.
    public init(_ value: ConfigValue, path: String) throws(ConfigError) {
        self.path = path
        switch value {
        case .map(let entries): self.entries = entries
        case .null: self.entries = [:]
        default: throw ConfigError.typeMismatch(path: path, expected: "a mapping", found: value.kindName)
        }
    }

    /// The path of `key` inside this section.
    public func path(of key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The raw value of `key` (absent and null both give nil), marking the key as known.
    public mutating func value(_ key: String) -> ConfigValue? {
        known.append(key)
        guard let value = entries[key], value != .null else { return nil }
        return value
    }

    public mutating func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return String(flag)
        default: throw ConfigError.typeMismatch(path: path(of: key), expected: "a string", found: value.kindName)
        }
    }

    /// A string that must be present and not empty.
    public mutating func requiredString(_ key: String) throws(ConfigError) -> String {
        guard let text = try string(key), !text.isEmpty else {
            throw ConfigError.invalidValue(path: path(of: key), reason: "is required")
        }
        return text
    }

    public mutating func int(_ key: String) throws(ConfigError) -> Int? {
        guard let value = value(key) else { return nil }
        switch value {
        case .int(let number): return number
        case .double(let number) where number.rounded() == number && abs(number) < 1e15: return Int(number)
        case .string(let text) where Int(text) != nil: return Int(text)
        default: throw ConfigError.typeMismatch(path: path(of: key), expected: "an integer", found: value.kindName)
        }
    }

    public mutating func double(_ key: String) throws(ConfigError) -> Double? {
        guard let value = value(key) else { return nil }
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: throw ConfigError.typeMismatch(path: path(of: key), expected: "a number", found: value.kindName)
        }
    }

    public mutating func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else {
            throw ConfigError.typeMismatch(path: path(of: key), expected: "true or false", found: value.kindName)
        }
        return flag
    }

    /// A list of strings; one string alone is a list of one (Jitsu accepts both for `dsns`).
    public mutating func stringList(_ key: String) throws(ConfigError) -> [String]? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let text): return [text]
        case .array(let items):
            var texts: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw ConfigError.typeMismatch(path: "\(path(of: key))[\(index)]", expected: "a string", found: item.kindName)
                }
                texts.append(text)
            }
            return texts
        default: throw ConfigError.typeMismatch(path: path(of: key), expected: "a list of strings", found: value.kindName)
        }
    }

    /// A mapping of strings to strings (HTTP headers, connection parameters).
    public mutating func stringMap(_ key: String) throws(ConfigError) -> [String: String]? {
        guard let value = value(key) else { return nil }
        var reader = try SettingsReader(value, path: path(of: key))
        var result: [String: String] = [:]
        for name in reader.entries.keys.sorted() { result[name] = try reader.string(name) }
        return result
    }

    /// A nested section, for the caller to read and finish.
    public mutating func section(_ key: String) throws(ConfigError) -> SettingsReader {
        try SettingsReader(value(key) ?? .null, path: path(of: key))
    }

    /// Fails on the first key (in sorted order) that no read claimed.
    public func finish() throws(ConfigError) {
        for key in entries.keys.sorted() where !known.contains(key) {
            throw ConfigError.unknownKey(path: path(of: key), suggestion: FieldReader.closest(to: key, among: known))
        }
    }
}

extension ConfigValue {
    /// How error messages name this kind of value.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "a list"
        case .map: "a mapping"
        }
    }
}
