import Crypto
import Foundation
import NodeConfig
import WireBytes

/// `iam:`: the OAuth2 clients that may ask `POST /iam/v3/oauth/token` for a bearer token, what each may do, and the
/// key tokens are signed with.
///
/// ```yaml
/// iam:
///   clients:
///     - id: analytics
///       secret_sha256: "<hex SHA-256 of the secret>"   # printf %s "$SECRET" | sha256sum
///       permissions: [{ resource: "ADMIN:ANALYTICS:CONNECTOR", action: 15 }]
///   signing_key: "..."   # optional; else derived from cluster.secret
///   token_ttl: 3600      # optional, seconds
/// ```
public struct IAMSettings: Sendable, Equatable {
    /// One entry of `iam.clients`: a confidential client of RFC 6749 §2.1.
    public struct Client: Sendable, Equatable {
        /// `id`: the client id, the Basic user name of a token request.
        public let id: String
        /// `secret_sha256`: SHA-256 of the client secret (32 bytes, 64 hex digits in the file), so the file never
        /// holds a secret that would let its reader ask for tokens.
        public let secretSHA256: [UInt8]
        /// `permissions`: what this client's tokens allow.
        public let permissions: [Permission]

        public init(id: String, secretSHA256: [UInt8], permissions: [Permission]) {
            precondition(secretSHA256.count == SHA256.byteCount, "a client's secret hash is \(SHA256.byteCount) bytes")
            self.id = id
            self.secretSHA256 = secretSHA256
            self.permissions = permissions
        }
    }

    public var clients: [Client]

    /// The HMAC-SHA256 keys of tokens: the first signs, any of them verifies, so a `cluster.secret` rotation does
    /// not refuse tokens signed under the previous first secret. Empty when neither `iam.signing_key` nor
    /// `cluster.secret` is set: then no token can be issued and every bearer token is refused.
    ///
    /// From `iam.signing_key` (its UTF-8 bytes, at least 32 of them, RFC 7518 §3.2) when set; otherwise derived from
    /// each `cluster.secret` with HKDF-SHA256 (RFC 5869) and the info `rivulet iam token signing`, so every node of a
    /// cluster accepts every node's tokens without another shared setting, and the secret never keys two things.
    public var signingKeys: [[UInt8]]

    /// `iam.token_ttl`, seconds, default 3600 (an hour, AccelByte's client token lifetime). Tokens are not stored,
    /// so none can be revoked before it expires: shorter limits how long a removed client keeps access, at the
    /// cost of more token requests. At most 86400.
    public var tokenTTL: Int

    /// HKDF info for keys derived from `cluster.secret`; changing it invalidates every token in flight.
    static let derivationInfo = Array("rivulet iam token signing".utf8)
    static let minimumSigningKeyBytes = 32
    static let maximumTokenTTL = 86_400

    public init(clients: [Client] = [], signingKeys: [[UInt8]] = [], tokenTTL: Int = 3600) {
        self.clients = clients
        self.signingKeys = signingKeys
        self.tokenTTL = tokenTTL
    }

    /// Reads `iam:` (absent or null: no clients) strictly; `clusterSecrets` are `cluster.secret` as configured (base64
    /// of 32 bytes, checked by the config loader). Throws `ConfigError` naming the key path: unknown keys, duplicate
    /// client ids, a hash that is not 64 hex digits, an action outside 1...15, a short signing key, a bad TTL.
    public init(config value: ConfigValue?, clusterSecrets: [String]) throws(ConfigError) {
        var reader = try SettingsReader(value ?? .null, path: "iam")
        let clients = try Self.readClients(reader.value("clients"), path: reader.path(of: "clients"))
        let signingKey = try reader.string("signing_key")
        let tokenTTL = try reader.int("token_ttl") ?? 3600
        try reader.finish()
        if let signingKey, signingKey.utf8.count < Self.minimumSigningKeyBytes {
            throw ConfigError.invalidValue(path: reader.path(of: "signing_key"),
                                           reason: "must be at least \(Self.minimumSigningKeyBytes) bytes")
        }
        guard (1...Self.maximumTokenTTL).contains(tokenTTL) else {
            throw ConfigError.invalidValue(path: reader.path(of: "token_ttl"),
                                           reason: "must be 1 to \(Self.maximumTokenTTL) seconds")
        }
        let keys = signingKey.map { [Array($0.utf8)] } ?? clusterSecrets.compactMap { Data(base64Encoded: $0) }.map(Self.derivedKey)
        self.init(clients: clients, signingKeys: keys, tokenTTL: tokenTTL)
    }

    /// The token key derived from one raw cluster secret.
    static func derivedKey(from secret: some ContiguousBytes) -> [UInt8] {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: secret), info: derivationInfo, outputByteCount: 32)
            .withUnsafeBytes { Array($0) }
    }

    private static func readClients(_ value: ConfigValue?, path: String) throws(ConfigError) -> [Client] {
        guard let value else { return [] }
        guard case .array(let items) = value else {
            throw ConfigError.typeMismatch(path: path, expected: "a list of clients", found: value.kindName)
        }
        var clients: [Client] = []
        for (index, item) in items.enumerated() {
            var reader = try SettingsReader(item, path: "\(path)[\(index)]")
            let id = try reader.requiredString("id")
            let hash = try reader.requiredString("secret_sha256")
            let permissions = try readPermissions(reader.value("permissions"), path: reader.path(of: "permissions"))
            try reader.finish()
            guard !clients.contains(where: { $0.id == id }) else {
                throw ConfigError.invalidValue(path: reader.path(of: "id"), reason: "\"\(id)\" is the id of an earlier client")
            }
            guard let digest = Hex.decode(hash), digest.count == SHA256.byteCount else {
                throw ConfigError.invalidValue(path: reader.path(of: "secret_sha256"),
                                               reason: "must be the SHA-256 of the secret as 64 hex digits")
            }
            clients.append(Client(id: id, secretSHA256: digest, permissions: permissions))
        }
        return clients
    }

    private static func readPermissions(_ value: ConfigValue?, path: String) throws(ConfigError) -> [Permission] {
        guard let value else { return [] }
        guard case .array(let items) = value else {
            throw ConfigError.typeMismatch(path: path, expected: "a list of permissions", found: value.kindName)
        }
        var permissions: [Permission] = []
        for (index, item) in items.enumerated() {
            var reader = try SettingsReader(item, path: "\(path)[\(index)]")
            let resource = try reader.requiredString("resource")
            let action = try reader.int("action")
            try reader.finish()
            guard let action, (1...Permission.Action.all.rawValue).contains(action) else {
                throw ConfigError.invalidValue(path: reader.path(of: "action"),
                                               reason: "must be 1 to 15 (create 1, read 2, update 4, delete 8, added up)")
            }
            permissions.append(Permission(resource: resource, action: Permission.Action(rawValue: action)))
        }
        return permissions
    }
}
