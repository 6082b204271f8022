import NodeConfig

/// One entry of `api_keys:` (Jitsu's shape): the secrets that may send events, the browser origins a client secret
/// is good for, and the destinations its events go to (all of them when `destinations` is absent).
public struct APIKey: Sendable, Equatable {
    public let id: String
    public let clientSecret: String?
    public let serverSecret: String?
    /// Patterns for the `Origin` header of client-secret requests: `*`, `example.com`, `*.example.com`. Empty: any.
    public let origins: [String]
    public let destinations: [String]?

    /// Whether a request with this `Origin` header may use the client secret.
    public func allows(origin: String?) -> Bool {
        guard !origins.isEmpty, !origins.contains("*"), let origin else { return true }
        let host = origin.split(separator: "/").last.map { $0.split(separator: ":").first.map(String.init) ?? "" } ?? origin
        return origins.contains { pattern in
            pattern.hasPrefix("*.") ? host.hasSuffix(pattern.dropFirst(1)) : host == pattern || origin == pattern
        }
    }
}

/// Which kind of secret a token matched: server secrets may use every event route, client secrets only the
/// browser ones.
public enum TokenKind: Sendable, Equatable {
    case client
    case server
}

/// The configured keys, looked up by secret.
public struct APIKeys: Sendable {
    public let keys: [APIKey]
    private let bySecret: [String: (key: APIKey, kind: TokenKind)]

    public init(_ keys: [APIKey]) {
        self.keys = keys
        var bySecret: [String: (APIKey, TokenKind)] = [:]
        for key in keys {
            if let secret = key.clientSecret { bySecret[secret] = (key, .client) }
            if let secret = key.serverSecret { bySecret[secret] = (key, .server) }
        }
        self.bySecret = bySecret
    }

    public func lookup(_ token: String) -> (key: APIKey, kind: TokenKind)? { bySecret[token] }

    /// Reads `api_keys:`, a list of mappings; throws `ConfigError` naming the entry.
    public init(config value: ConfigValue?, destinationIDs: Set<String>) throws(ConfigError) {
        guard let value, value != .null else {
            self.init([])
            return
        }
        guard case .array(let items) = value else {
            throw ConfigError.typeMismatch(path: "api_keys", expected: "a list of keys", found: "\(value)")
        }
        var keys: [APIKey] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            var reader = try SettingsReader(item, path: "api_keys[\(index)]")
            let id = try reader.requiredString("id")
            let client = try reader.string("client_secret")
            let server = try reader.string("server_secret")
            let origins = try reader.stringList("origins") ?? []
            let destinations = try reader.stringList("destinations")
            try reader.finish()
            guard client != nil || server != nil else {
                throw ConfigError.invalidValue(path: reader.path, reason: "needs client_secret or server_secret")
            }
            for secret in [client, server].compactMap({ $0 }) {
                guard seen.insert(secret).inserted else {
                    throw ConfigError.invalidValue(path: reader.path, reason: "a secret is used by two keys")
                }
            }
            for destination in destinations ?? [] where !destinationIDs.contains(destination) {
                throw ConfigError.invalidValue(path: reader.path(of: "destinations"), reason: "no destination \"\(destination)\"")
            }
            keys.append(APIKey(id: id, clientSecret: client, serverSecret: server, origins: origins, destinations: destinations))
        }
        self.init(keys)
    }
}
