/// A YAML value kept as read, for configuration sections whose typed model arrives in a later version
/// (`api_keys`, `destinations`, `sources`, `iam`).
///
/// Keeping these sections as a tree lets a Jitsu configuration load today: the node starts, and the module that
/// later owns a section decodes this tree into its own settings type, with the same key-path errors.
public enum ConfigValue: Sendable, Equatable {
    /// An explicit `null`, `~` or empty value.
    case null
    /// `true` or `false` (YAML 1.1 also reads `yes`, `no`, `on`, `off`).
    case bool(Bool)
    /// A plain integer such as `42`, `0x2a` or `1_000`.
    case int(Int)
    /// A plain floating-point number such as `0.5` or `1e3`.
    case double(Double)
    /// Any other scalar, including every quoted one.
    case string(String)
    /// A YAML sequence, in order.
    case array([ConfigValue])
    /// A YAML mapping with string keys; YAML's merge key `<<` is already applied.
    case map([String: ConfigValue])

    /// The value at `key` when this is a map, otherwise nil.
    public subscript(key: String) -> ConfigValue? {
        if case .map(let entries) = self { entries[key] } else { nil }
    }

    /// The string when this is `.string`, otherwise nil.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }
}
