import Gossip
import HTTP
import Foundation

// The rules a value must meet beyond its YAML type. They live apart from decoding so that a configuration built in
// code is held to the same rules as one read from a file.

extension NodeConfiguration {
    /// Checks every range and cross-field rule; `load` calls it after applying the environment.
    ///
    /// Throws `ConfigError.invalidValue` naming the key path of the first value that breaks a rule.
    public func validate() throws(ConfigError) {
        try server.validate()
        try cluster.validate()
        try metrics.validate()
    }
}

extension ServerSettings {
    /// Characters allowed in `server.name`, which becomes part of file names and must not reach a path separator.
    private static let nameCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")

    func validate() throws(ConfigError) {
        guard !name.isEmpty, name.allSatisfy(Self.nameCharacters.contains), name != ".", name != ".." else {
            throw ConfigError.invalidValue(
                path: "server.name",
                reason: "\"\(name)\" must be non-empty letters, digits, '.', '_' or '-' (it is part of file names)")
        }
        guard (0...65_535).contains(port) else {
            throw ConfigError.invalidValue(path: "server.port", reason: "\(port) is out of range 0...65535")
        }
        if adminToken?.isEmpty == true {
            throw ConfigError.invalidValue(path: "server.admin_token", reason: "must not be empty (omit it instead)")
        }
        if dataDir?.isEmpty == true {
            throw ConfigError.invalidValue(path: "server.data_dir", reason: "must not be empty (omit it instead)")
        }
        try requirePositive("server.max_event_size", maxEventSize)
        for (index, directory) in replayAllowedDirs.enumerated() where directory.isEmpty {
            throw ConfigError.invalidValue(path: "server.replay_allowed_dirs[\(index)]", reason: "must not be empty")
        }
        try http.validate()
    }
}

extension HTTPLimits {
    func validate() throws(ConfigError) {
        try requirePositive("server.http.max_header_bytes", maxHeaderBytes)
        try requirePositive("server.http.max_body_bytes", maxBodyBytes)
        try requirePositive("server.http.header_timeout", headerTimeout)
        try requirePositive("server.http.idle_timeout", idleTimeout)
        try requirePositive("server.http.drain_timeout", drainTimeout)
    }
}

extension ClusterSettings {
    func validate() throws(ConfigError) {
        if name.isEmpty {
            throw ConfigError.invalidValue(path: "cluster.name", reason: "must not be empty")
        }
        // Port 0 only makes sense for a socket this node binds; nobody can dial it.
        if let advertise, advertise.port == 0 {
            throw ConfigError.invalidValue(
                path: "cluster.advertise", reason: "\"\(advertise)\" has port 0, which cannot be dialled")
        }
        for (index, seed) in seeds.enumerated() where seed.port == 0 {
            throw ConfigError.invalidValue(
                path: "cluster.seeds[\(index)]", reason: "\"\(seed)\" has port 0, which cannot be dialled")
        }
        for (index, role) in roles.enumerated() where role.isEmpty || !role.utf8.allSatisfy({ (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5f || $0 == 0x2d }) {
            throw ConfigError.invalidValue(path: "cluster.roles[\(index)]", reason: "\"\(role)\" must be lower-case letters, digits, _ or -")
        }
        for (index, secret) in secrets.enumerated() where Data(base64Encoded: secret)?.count != 32 {
            throw ConfigError.invalidValue(
                path: secrets.count == 1 ? "cluster.secret" : "cluster.secret[\(index)]",
                reason: "must be the base64 encoding of exactly 32 bytes (generate one with `openssl rand -base64 32`)")
        }
        if tombstoneTTL < .seconds(1) {
            throw ConfigError.invalidValue(path: "cluster.tombstone_ttl", reason: "must be at least 1s")
        }
        if forwardTimeout < .milliseconds(1) {
            throw ConfigError.invalidValue(path: "cluster.forward_timeout", reason: "must be positive")
        }
        do {
            try gossip.validate()
        } catch GossipError.invalidSetting(let key, let reason) {
            throw ConfigError.invalidValue(path: key == "name" ? "cluster.name" : "cluster.gossip.\(key)", reason: reason)
        } catch {
            throw ConfigError.invalidValue(path: "cluster.gossip", reason: "\(error)")
        }
    }
}

extension MetricsSettings {
    func validate() throws(ConfigError) {
        guard path.hasPrefix("/") else {
            throw ConfigError.invalidValue(path: "metrics.path", reason: "\"\(path)\" must start with \"/\"")
        }
    }
}

/// Sizes, counts and intervals of zero or less would disable the thing they bound, so they are refused.
private func requirePositive<Value: Comparable & AdditiveArithmetic>(
    _ path: String, _ value: Value
) throws(ConfigError) {
    guard value > .zero else {
        throw ConfigError.invalidValue(path: path, reason: "must be greater than zero")
    }
}
