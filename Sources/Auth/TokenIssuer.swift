import Crypto
import Foundation
import JWTKit

/// Issues and checks the bearer tokens of the OAuth2 client credentials grant (RFC 6749 §4.4): HS256 JWTs
/// (RFC 7519, RFC 7518 §3.2) signed with `IAMSettings.signingKeys`. Nothing is stored, so any node holding the same
/// keys verifies any node's tokens, and a token stays good until it expires.
///
/// Claims, read by the connector routes and by clients (never rename one): `client_id`, `permissions` as
/// `[{"Resource": ..., "Action": ...}]` (AccelByte's shape), `iat`, `exp` (whole unix seconds) and `iss: "rivulet"`.
public struct TokenIssuer: Sendable {
    /// A token granted to a client, with what the token response reports beside it.
    public struct Token: Sendable, Equatable {
        /// The signed JWT.
        public let accessToken: String
        /// Seconds until it expires (`iam.token_ttl`).
        public let expiresIn: Int
        /// The client's permissions, which the token carries.
        public let permissions: [Permission]
    }

    /// What a verified token says.
    public struct Claims: Sendable, Equatable {
        public let clientID: String
        public let permissions: [Permission]
        public let issuedAt: Date
        public let expiresAt: Date
    }

    /// Why a token was not issued or not accepted.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// No signing key: neither `iam.signing_key` nor `cluster.secret` is set.
        case notConfigured
        /// Unknown client id or wrong secret; one case for both, so a caller cannot probe for ids.
        case invalidClient
        /// A bearer token that is not a well-formed JWT of ours.
        case malformed
        /// Signed with another key, or altered after signing.
        case badSignature
        /// Signed with an algorithm other than HS256 (such as `none`), which is refused before any key is tried.
        case unsupportedAlgorithm(String)
        /// Signed with our key but not issued as a rivulet token.
        case wrongIssuer
        case expired

        public var description: String {
            switch self {
            case .notConfigured: "tokens cannot be issued or checked: set iam.signing_key or cluster.secret"
            case .invalidClient: "client authentication failed: unknown client or wrong secret"
            case .malformed: "the bearer token is not a valid JWT"
            case .badSignature: "the bearer token's signature is invalid"
            case .unsupportedAlgorithm(let name): "the bearer token is signed with \(name), not HS256"
            case .wrongIssuer: "the bearer token was not issued by rivulet"
            case .expired: "the bearer token has expired"
            }
        }
    }

    /// The `iss` of every token; tokens from elsewhere that happen to share the key are refused.
    static let issuer = "rivulet"
    private static let algorithm = "HS256"

    private let clients: [String: IAMSettings.Client]
    private let tokenTTL: Int
    private let now: @Sendable () -> Date
    /// The keys, the first signing; nil without any. A `JWTKeyCollection` is an actor that takes keys only through
    /// async calls, so a task fills it once at init and every call awaits that (long finished) task.
    private let keys: Task<JWTKeyCollection, Never>?

    /// `now` is the wall clock; tests pass a fixed one to check expiry without waiting.
    public init(settings: IAMSettings, now: @escaping @Sendable () -> Date = Date.init) {
        clients = Dictionary(settings.clients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        tokenTTL = settings.tokenTTL
        self.now = now
        let signingKeys = settings.signingKeys
        keys = signingKeys.isEmpty ? nil : Task {
            let collection = JWTKeyCollection()
            for (index, key) in signingKeys.enumerated() {
                // The first key, added without an id, is the default that signs; the others are only tried by
                // `verify`'s iteration. Their ids never leave this collection, and tokens carry no `kid`.
                await collection.add(hmac: HMACKey(key: SymmetricKey(data: key)), digestAlgorithm: .sha256,
                                     kid: index == 0 ? nil : JWKIdentifier(string: "key\(index)"))
            }
            return collection
        }
    }

    /// A token for the client `clientID` if `secret` is its secret: SHA-256 of `secret` compared with the configured
    /// hash in constant time, and compared (against a hash nothing matches) even when the id is unknown, so neither
    /// the answer nor its timing tells whether an id exists. Throws `.notConfigured` or `.invalidClient`.
    public func issue(clientID: String, secret: String) async throws(Refusal) -> Token {
        guard let keys else { throw .notConfigured }
        let client = clients[clientID]
        let presented = Array(SHA256.hash(data: Array(secret.utf8)))
        let matches = AdminToken.constantTimeEquals(presented, client?.secretSHA256 ?? Self.unmatchableHash)
        guard let client, matches else { throw .invalidClient }
        let issuedAt = Date(timeIntervalSince1970: now().timeIntervalSince1970.rounded(.down))
        let payload = Payload(
            clientID: client.id, permissions: client.permissions, iss: IssuerClaim(value: Self.issuer),
            iat: IssuedAtClaim(value: issuedAt), exp: ExpirationClaim(value: issuedAt.addingTimeInterval(Double(tokenTTL))))
        let token: String
        do {
            token = try await keys.value.sign(payload)
        } catch {
            // Signing our own Codable payload with an HMAC key has no failure mode; one would be a bug here.
            preconditionFailure("signing a token failed: \(error)")
        }
        return Token(accessToken: token, expiresIn: tokenTTL, permissions: client.permissions)
    }

    /// The claims of `bearer` (the text after `Bearer `) once its algorithm is HS256, its signature holds under one of
    /// the keys, it was issued by rivulet and it has not expired; otherwise the first of those that fails.
    public func verify(bearer: String) async throws(Refusal) -> Claims {
        guard let keys else { throw .notConfigured }
        let header: JWTHeader
        do {
            header = try DefaultJWTParser().parse(Array(bearer.utf8), as: Payload.self).header
        } catch {
            throw .malformed
        }
        // JWTKit checks the signature with the key it holds whatever `alg` says; a token must also say what it is.
        guard header.alg == Self.algorithm else { throw .unsupportedAlgorithm(header.alg ?? "no algorithm") }
        let payload: Payload
        do {
            payload = try await keys.value.verify(bearer, as: Payload.self, iteratingKeys: true)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .badSignature
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw .wrongIssuer
        } catch {
            throw .malformed
        }
        guard now() < payload.exp.value else { throw .expired }
        return Claims(clientID: payload.clientID, permissions: payload.permissions, issuedAt: payload.iat.value,
                      expiresAt: payload.exp.value)
    }

    /// No SHA-256 output is all zeros in practice, so an unknown id never matches.
    private static let unmatchableHash = [UInt8](repeating: 0, count: SHA256.byteCount)

    /// The JWT body. Expiry is checked by `verify` against the injected clock, not here, since JWTKit passes no
    /// clock to `verify(using:)`.
    struct Payload: JWTPayload {
        let clientID: String
        let permissions: [Permission]
        let iss: IssuerClaim
        let iat: IssuedAtClaim
        let exp: ExpirationClaim

        enum CodingKeys: String, CodingKey {
            case clientID = "client_id"
            case permissions, iss, iat, exp
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {
            guard iss.value == TokenIssuer.issuer else {
                throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "not issued by rivulet")
            }
        }
    }
}
