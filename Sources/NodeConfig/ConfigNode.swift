import Yams

/// A YAML node together with the key path that led to it.
///
/// Decoding walks the composed YAML tree by hand instead of using `Codable` so that every error can name the full
/// path (`cluster.seeds[1]`) and unknown keys can be rejected with a suggestion. An explicit null (`port:` with
/// nothing after it) counts as absent everywhere, so commenting out a value's text restores its default.
struct ConfigNode {
    let node: Node
    let path: String

    /// The node at `key` of a mapping at `path`; the root has the empty path.
    func child(_ key: String, _ value: Node) -> ConfigNode {
        ConfigNode(node: value, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The node's resolved YAML type (`Yams` exposes only the tag's text): quoted scalars are always `.str`.
    var tag: Tag.Name {
        Tag.Name(rawValue: node.tag.description)
    }

    var isNull: Bool {
        tag == .null
    }

    /// Whether the node is a YAML sequence, for keys that take one value or a list of them.
    var isList: Bool {
        if case .sequence = node { return true }
        return false
    }

    /// The entries of a mapping in file order with YAML merge keys (`<<: *defaults`) applied: explicit keys win over
    /// merged ones, as YAML 1.1 specifies. A null node is an empty mapping, so `server:` alone means all defaults.
    func entries() throws(ConfigError) -> [(key: String, value: ConfigNode)] {
        if isNull { return [] }
        guard case .mapping(let mapping) = node else { throw mismatch("a mapping") }
        var explicit: [(key: String, value: ConfigNode)] = []
        var merged: [(key: String, value: ConfigNode)] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else {
                throw ConfigError.invalidValue(path: path, reason: "mapping keys must be plain strings")
            }
            if keyNode.tag.description == Tag.Name.merge.rawValue {
                merged += try mergeSources(child("<<", valueNode))
            } else {
                explicit.append((key.string, child(key.string, valueNode)))
            }
        }
        let explicitKeys = Set(explicit.map(\.key))
        var mergedKeys: Set<String> = []
        let inherited = merged.filter { !explicitKeys.contains($0.key) && mergedKeys.insert($0.key).inserted }
        return explicit + inherited
    }

    /// The mappings named by a merge key: one mapping, or a list of them where earlier ones win.
    private func mergeSources(_ source: ConfigNode) throws(ConfigError) -> [(key: String, value: ConfigNode)] {
        guard case .sequence = source.node else { return try source.entries() }
        var result: [(key: String, value: ConfigNode)] = []
        for element in try source.elements() {
            result += try element.entries()
        }
        return result
    }

    /// The elements of a sequence, each with its index in the path. A null node is an empty list.
    func elements() throws(ConfigError) -> [ConfigNode] {
        if isNull { return [] }
        guard case .sequence(let sequence) = node else { throw mismatch("a list") }
        return sequence.enumerated().map { ConfigNode(node: $1, path: "\(path)[\($0)]") }
    }

    /// A typed section: a reader that hands out the entries by key and rejects the keys nobody asked for.
    func fields() throws(ConfigError) -> FieldReader {
        FieldReader(path: path, entries: try entries())
    }

    func string() throws(ConfigError) -> String {
        // Only YAML strings count: `admin_token: 1234` is an integer to YAML, and silently turning it into text would
        // hide the other surprises of plain scalars, such as `name: no` being the boolean false.
        guard case .scalar(let scalar) = node, tag == .str else { throw mismatch("a string") }
        return scalar.string
    }

    func int() throws(ConfigError) -> Int {
        guard tag == .int, let scalar = node.scalar else { throw mismatch("an integer") }
        guard let value = Int.construct(from: scalar) else {
            throw ConfigError.invalidValue(path: path, reason: "\(found) does not fit in a 64-bit integer")
        }
        return value
    }

    func positiveInt() throws(ConfigError) -> Int {
        let value = try int()
        guard value > 0 else { throw ConfigError.invalidValue(path: path, reason: "must be positive") }
        return value
    }

    func double() throws(ConfigError) -> Double {
        guard let scalar = node.scalar, tag == .int || tag == .float,
              let value = Double.construct(from: scalar)
        else { throw mismatch("a number") }
        return value
    }

    func bool() throws(ConfigError) -> Bool {
        guard tag == .bool, let value = node.scalar.flatMap(Bool.construct) else {
            throw mismatch("true or false")
        }
        return value
    }

    /// A number of seconds (`10`, `0.5`) or a Go duration string (`"500ms"`, `"1m30s"`), the two forms Jitsu
    /// configurations use.
    func duration() throws(ConfigError) -> Duration {
        switch tag {
        case .int:
            return .seconds(try int())
        case .float:
            let seconds = try double()
            guard seconds.isFinite, abs(seconds) < Double(Int64.max) / 1e9 else {
                throw ConfigError.invalidValue(path: path, reason: "\(found) seconds is out of range")
            }
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        case .str:
            guard let duration = Duration(goSyntax: try string()) else {
                throw ConfigError.invalidValue(
                    path: path,
                    reason: "\(found) is not a duration (use a number of seconds, or a string such as "
                        + "\"500ms\", \"10s\", \"1m\", \"2h\")")
            }
            return duration
        default:
            throw mismatch("a duration")
        }
    }

    func hostPort() throws(ConfigError) -> HostPort {
        let text = try string()
        guard let address = HostPort(text) else {
            throw ConfigError.invalidValue(path: path, reason: "\(found) is not host:port (port 0...65535)")
        }
        return address
    }

    func stringList() throws(ConfigError) -> [String] {
        var result: [String] = []
        for element in try elements() {
            result.append(try element.string())
        }
        return result
    }

    func hostPortList() throws(ConfigError) -> [HostPort] {
        var result: [HostPort] = []
        for element in try elements() {
            result.append(try element.hostPort())
        }
        return result
    }

    /// One of an enumeration's raw values; the error lists them all.
    func oneOf<Choice: RawRepresentable<String> & CaseIterable>(_: Choice.Type) throws(ConfigError) -> Choice {
        let text = try string()
        guard let choice = Choice(rawValue: text) else {
            let choices = Choice.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigError.invalidValue(path: path, reason: "\(found) is not one of \(choices)")
        }
        return choice
    }

    /// The node as a generic tree, for the sections that are passed through untyped.
    func value() throws(ConfigError) -> ConfigValue {
        switch node {
        case .mapping:
            var map: [String: ConfigValue] = [:]
            for (key, value) in try entries() {
                map[key] = try value.value()
            }
            return .map(map)
        case .sequence:
            var array: [ConfigValue] = []
            for element in try elements() {
                array.append(try element.value())
            }
            return .array(array)
        case .scalar(let scalar):
            switch tag {
            case .null: return .null
            case .bool: return .bool(try bool())
            case .int: return .int(try int())
            case .float: return .double(try double())
            // Timestamps, `=` and every quoted scalar stay text; the section's owner decides what they mean.
            default: return .string(scalar.string)
            }
        case .alias:
            // Yams.compose resolves every alias to the anchored node, so none reaches this walk.
            preconditionFailure("unresolved YAML alias at \(path)")
        }
    }

    /// How the value appears in an error message: strings quoted, other scalars as written, collections by kind.
    var found: String {
        switch node {
        case .scalar(let scalar):
            switch tag {
            case .null: "null"
            case .str: "\"\(scalar.string)\""
            default: scalar.string
            }
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private func mismatch(_ expected: String) -> ConfigError {
        .typeMismatch(path: path, expected: expected, found: found)
    }
}
