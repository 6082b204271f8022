import Crypto
import Foundation
import Synchronization
import Testing
@testable import Auth

@Suite struct TokenIssuerTests {
    static let key = Array("0123456789abcdef0123456789abcdef".utf8)
    static let permissions = [
        Permission(resource: "ADMIN:ANALYTICS:CONNECTOR", action: .all),
        Permission(resource: "ADMIN:NAMESPACE:*:CLIENT", action: .read),
    ]
    static let start = Date(timeIntervalSince1970: 1_700_000_000.75)

    /// A clock tests move by hand.
    final class Clock: Sendable {
        private let current = Mutex(TokenIssuerTests.start)
        var now: Date { current.withLock { $0 } }
        func advance(by seconds: Double) { current.withLock { $0 += seconds } }
    }

    private func issuer(keys: [[UInt8]] = [key], ttl: Int = 600, clock: Clock = Clock()) -> TokenIssuer {
        let client = IAMSettings.Client(id: "analytics", secretSHA256: Array(SHA256.hash(data: Array("secret".utf8))),
                                        permissions: Self.permissions)
        return TokenIssuer(settings: IAMSettings(clients: [client], signingKeys: keys, tokenTTL: ttl), now: { clock.now })
    }

    /// The JSON of one base64url part of `token`.
    private func part(_ index: Int, of token: String) throws -> [String: Any] {
        var text = String(token.split(separator: ".")[index]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        let data = try #require(Data(base64Encoded: text))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func issuedTokenCarriesTheClientsClaimsAndVerifies() async throws {
        let issuer = issuer()
        let token = try await issuer.issue(clientID: "analytics", secret: "secret")
        #expect(token.expiresIn == 600)
        #expect(token.permissions == Self.permissions)

        let header = try part(0, of: token.accessToken)
        #expect(header["alg"] as? String == "HS256")
        let payload = try part(1, of: token.accessToken)
        #expect(payload["client_id"] as? String == "analytics")
        #expect(payload["iss"] as? String == "rivulet")
        #expect(payload["iat"] as? Int == 1_700_000_000)
        #expect(payload["exp"] as? Int == 1_700_000_600)
        let claimed = try #require(payload["permissions"] as? [[String: Any]])
        #expect(claimed.first?["Resource"] as? String == "ADMIN:ANALYTICS:CONNECTOR")
        #expect(claimed.first?["Action"] as? Int == 15)

        let claims = try await issuer.verify(bearer: token.accessToken)
        #expect(claims == TokenIssuer.Claims(clientID: "analytics", permissions: Self.permissions,
                                             issuedAt: Date(timeIntervalSince1970: 1_700_000_000),
                                             expiresAt: Date(timeIntervalSince1970: 1_700_000_600)))
    }

    @Test(arguments: [("analytics", "wrong"), ("analytics", ""), ("analytics", "secret "), ("nobody", "secret"), ("", "")])
    func wrongSecretAndUnknownClientGetTheSameRefusal(_ id: String, _ secret: String) async {
        await #expect(throws: TokenIssuer.Refusal.invalidClient) { try await issuer().issue(clientID: id, secret: secret) }
    }

    @Test func withoutKeysNothingIsIssuedOrAccepted() async throws {
        let token = try await issuer().issue(clientID: "analytics", secret: "secret").accessToken
        let keyless = issuer(keys: [])
        await #expect(throws: TokenIssuer.Refusal.notConfigured) { try await keyless.issue(clientID: "analytics", secret: "secret") }
        await #expect(throws: TokenIssuer.Refusal.notConfigured) { try await keyless.verify(bearer: token) }
    }

    @Test func tokenExpiresAfterItsTTL() async throws {
        let clock = Clock()
        let issuer = issuer(ttl: 60, clock: clock)
        let token = try await issuer.issue(clientID: "analytics", secret: "secret").accessToken
        clock.advance(by: 58)  // The clock started .75 s past the whole second the token counts from.
        _ = try await issuer.verify(bearer: token)
        clock.advance(by: 1.25)
        await #expect(throws: TokenIssuer.Refusal.expired) { try await issuer.verify(bearer: token) }
    }

    @Test func tokenSignedWithAnotherKeyIsRefused() async throws {
        let foreign = try await issuer(keys: [Array("another key, also thirty-two bytes".utf8)])
            .issue(clientID: "analytics", secret: "secret").accessToken
        await #expect(throws: TokenIssuer.Refusal.badSignature) { try await issuer().verify(bearer: foreign) }
    }

    @Test func anyConfiguredKeyVerifiesButTheFirstSigns() async throws {
        let other = Array("the previous key of the cluster!".utf8)
        let old = try await issuer(keys: [other]).issue(clientID: "analytics", secret: "secret").accessToken
        let rotated = issuer(keys: [Self.key, other])
        _ = try await rotated.verify(bearer: old)
        let fresh = try await rotated.issue(clientID: "analytics", secret: "secret").accessToken
        _ = try await issuer(keys: [Self.key]).verify(bearer: fresh)
    }

    @Test func tamperedPayloadIsRefused() async throws {
        let token = try await issuer().issue(clientID: "analytics", secret: "secret").accessToken
        let parts = token.split(separator: ".").map(String.init)
        // Same header and signature, with a payload claiming a client of our choosing.
        var payload = try part(1, of: token)
        payload["client_id"] = "admin"
        let forged = try JSONSerialization.data(withJSONObject: payload).base64URL
        await #expect(throws: TokenIssuer.Refusal.badSignature) {
            try await issuer().verify(bearer: [parts[0], forged, parts[2]].joined(separator: "."))
        }
    }

    @Test func unsignedAndOtherAlgorithmTokensAreRefusedBeforeAnyKeyIsTried() async throws {
        let token = try await issuer().issue(clientID: "analytics", secret: "secret").accessToken
        let parts = token.split(separator: ".").map(String.init)
        for alg in ["none", "HS512", "RS256"] {
            let header = Data(#"{"alg":"\#(alg)","typ":"JWT"}"#.utf8).base64URL
            await #expect(throws: TokenIssuer.Refusal.unsupportedAlgorithm(alg)) {
                try await issuer().verify(bearer: [header, parts[1], alg == "none" ? "" : parts[2]].joined(separator: "."))
            }
        }
    }

    @Test func tokenWithTheRightKeyButAnotherIssuerIsRefused() async throws {
        let token = try await issuer().issue(clientID: "analytics", secret: "secret").accessToken
        let parts = token.split(separator: ".").map(String.init)
        var payload = try part(1, of: token)
        payload["iss"] = "someone-else"
        let body = try JSONSerialization.data(withJSONObject: payload).base64URL
        let signature = Data(HMAC<SHA256>.authenticationCode(for: Array("\(parts[0]).\(body)".utf8), using: SymmetricKey(data: Self.key))).base64URL
        await #expect(throws: TokenIssuer.Refusal.wrongIssuer) {
            try await issuer().verify(bearer: "\(parts[0]).\(body).\(signature)")
        }
    }

    @Test(arguments: ["", "garbage", "a.b", "a.b.c", "e30.e30.", "....."])
    func malformedTokensAreRefused(_ bearer: String) async {
        await #expect(throws: TokenIssuer.Refusal.malformed) { try await issuer().verify(bearer: bearer) }
    }
}

extension Data {
    /// Base64url without padding (RFC 7515 §2), as JWTs use.
    fileprivate var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
