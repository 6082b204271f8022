import Crypto
import Foundation
import NodeConfig
import Testing
@testable import Auth

@Suite struct IAMSettingsTests {
    /// SHA-256 of `secret`, as `secret_sha256` holds it.
    static let hashOfSecret = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"
    static let clusterSecret = Data(repeating: 7, count: 32).base64EncodedString()

    /// `iam:` with `yaml` as its (indented) body, read as the node reads it.
    private func settings(_ yaml: String, clusterSecrets: [String] = []) throws -> IAMSettings {
        let configuration = try NodeConfiguration.load(yaml: "iam:\n" + yaml, environment: [:])
        return try IAMSettings(config: configuration.iam, clusterSecrets: clusterSecrets)
    }

    @Test func clientsAreReadWithTheirPermissions() throws {
        let read = try settings("""
              clients:
                - id: analytics
                  secret_sha256: \(Self.hashOfSecret.uppercased())
                  permissions:
                    - {resource: "ADMIN:ANALYTICS:CONNECTOR", action: 15}
                    - {resource: "ADMIN:NAMESPACE:*:CLIENT", action: 2}
                - id: reader
                  secret_sha256: \(Self.hashOfSecret)
              signing_key: "0123456789abcdef0123456789abcdef"
              token_ttl: 600
            """)
        #expect(read.clients.map(\.id) == ["analytics", "reader"])
        #expect(read.clients[0].secretSHA256 == Array(SHA256.hash(data: Array("secret".utf8))))
        #expect(read.clients[0].permissions == [
            Permission(resource: "ADMIN:ANALYTICS:CONNECTOR", action: .all),
            Permission(resource: "ADMIN:NAMESPACE:*:CLIENT", action: .read),
        ])
        #expect(read.clients[1].permissions.isEmpty)
        #expect(read.signingKeys == [Array("0123456789abcdef0123456789abcdef".utf8)])
        #expect(read.tokenTTL == 600)
    }

    @Test func absentSectionHasNoClientsNoKeyAndAnHourLongTokens() throws {
        let read = try IAMSettings(config: nil, clusterSecrets: [])
        #expect(read == IAMSettings(clients: [], signingKeys: [], tokenTTL: 3600))
        #expect(try settings("  {}\n") == read)
    }

    @Test func withoutASigningKeyTheKeysAreDerivedFromEveryClusterSecretInOrder() throws {
        let other = Data(repeating: 9, count: 32).base64EncodedString()
        let read = try settings("  clients: []\n", clusterSecrets: [Self.clusterSecret, other])
        let expected = [Data(repeating: 7, count: 32), Data(repeating: 9, count: 32)].map {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: $0), info: Array("rivulet iam token signing".utf8),
                                   outputByteCount: 32).withUnsafeBytes { Array($0) }
        }
        #expect(read.signingKeys == expected)
        // Never the raw secret: that one keys gossip encryption.
        #expect(!read.signingKeys.contains([UInt8](repeating: 7, count: 32)))
    }

    @Test func anExplicitSigningKeyWinsOverTheClusterSecret() throws {
        let read = try settings("  signing_key: \"0123456789abcdef0123456789abcdef\"\n", clusterSecrets: [Self.clusterSecret])
        #expect(read.signingKeys == [Array("0123456789abcdef0123456789abcdef".utf8)])
    }

    @Test(arguments: [
        ("  clientz: []\n", "iam.clientz", "did you mean \"clients\""),
        ("  clients: {a: b}\n", "iam.clients", "expected a list of clients"),
        ("  clients: [{id: a, secret_sha256: \(hashOfSecret), secret: x}]\n", "iam.clients[0].secret", "unknown key"),
        ("  clients: [{secret_sha256: \(hashOfSecret)}]\n", "iam.clients[0].id", "is required"),
        ("  clients: [{id: a}]\n", "iam.clients[0].secret_sha256", "is required"),
        ("  clients: [{id: a, secret_sha256: abc}]\n", "iam.clients[0].secret_sha256", "64 hex digits"),
        ("  clients: [{id: a, secret_sha256: \(String(hashOfSecret.dropLast(2)))}]\n", "iam.clients[0].secret_sha256", "64 hex digits"),
        ("  clients: [{id: a, secret_sha256: \(String(hashOfSecret.dropLast()))g}]\n", "iam.clients[0].secret_sha256", "64 hex digits"),
        ("  clients: [{id: a, secret_sha256: \(hashOfSecret)}, {id: a, secret_sha256: \(hashOfSecret)}]\n",
         "iam.clients[1].id", "earlier client"),
        ("  clients: [{id: a, secret_sha256: \(hashOfSecret), permissions: {resource: R, action: 1}}]\n",
         "iam.clients[0].permissions", "a list of permissions"),
        ("  clients: [{id: a, secret_sha256: \(hashOfSecret), permissions: [{action: 1}]}]\n",
         "iam.clients[0].permissions[0].resource", "is required"),
        ("  clients: [{id: a, secret_sha256: \(hashOfSecret), permissions: [{resource: R}]}]\n",
         "iam.clients[0].permissions[0].action", "1 to 15"),
        ("  clients: [{id: a, secret_sha256: \(hashOfSecret), permissions: [{resource: R, action: 0}]}]\n",
         "iam.clients[0].permissions[0].action", "1 to 15"),
        ("  clients: [{id: a, secret_sha256: \(hashOfSecret), permissions: [{resource: R, action: 16}]}]\n",
         "iam.clients[0].permissions[0].action", "1 to 15"),
        ("  clients: [{id: a, secret_sha256: \(hashOfSecret), permissions: [{resource: R, action: 2, scope: x}]}]\n",
         "iam.clients[0].permissions[0].scope", "unknown key"),
        ("  signing_key: short\n", "iam.signing_key", "at least 32 bytes"),
        ("  token_ttl: 0\n", "iam.token_ttl", "1 to 86400"),
        ("  token_ttl: 86401\n", "iam.token_ttl", "1 to 86400"),
        ("  token_ttl: 1h\n", "iam.token_ttl", "expected an integer"),
    ] as [(String, String, String)])
    func mistakesFailNamingTheirKeyPath(yaml: String, path: String, reason: String) throws {
        let error = try #require(throws: ConfigError.self) { try settings(yaml) }
        #expect(error.path == path, "\(error)")
        #expect(error.description.contains(reason), "\(error)")
    }

    @Test func aSectionThatIsNotAMappingFails() throws {
        let error = try #require(throws: ConfigError.self) { try settings("  - a\n") }
        #expect(error == .typeMismatch(path: "iam", expected: "a mapping", found: "a list"))
    }
}
