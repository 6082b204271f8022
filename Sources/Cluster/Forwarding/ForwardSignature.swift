@preconcurrency import Crypto  // SymmetricKey is an immutable value, not yet marked Sendable.
import Foundation
import WireBytes

/// Signs and checks forwarded admin calls with the cluster secret, so a node only acts on a forwarded call that
/// another member of the cluster sent to it. Pure apart from swift-crypto and the random nonce: the time is always
/// passed in.
///
/// The MAC is HMAC-SHA256, keyed with HKDF-SHA256 (RFC 5869) of each cluster secret and the info string
/// `rivulet forwarded call`, so the same secret never keys both the gossip AES-GCM (`Keyring` uses it raw) and this
/// MAC. It covers the method, the request target (path and query exactly as sent), the SHA-256 of the body, the
/// timestamp, the forwarding node's name, the receiving node's name and a random nonce, so none of them can be
/// changed and the call cannot be sent to another node. The nonce makes every signature unique, so two equal calls
/// signed in the same millisecond are two calls, not a replay; the timestamp is the plain wall clock.
///
/// Wire format, shared by nodes of different versions (never change it; add a `v3=` field and domain instead):
/// - header value: `t=<unix ms>,n=<from node>,r=<to node>,x=<nonce: 32 lower-case hex digits>,v2=<64 lower-case
///   hex digits>`;
/// - signed message: `rivulet-forward-v2`, method, target, hex SHA-256 of the body, decimal timestamp, from node
///   name, to node name and nonce hex, joined by `\n` (none of them can hold a newline: a request line cannot,
///   node names are `[A-Za-z0-9._-]`, enforced by the config loader).
///
/// The first format (`t=…,n=…,v1=…` over `rivulet-forward-v1`, without receiver or nonce) is refused as malformed.
public struct ForwardSignature: Sendable {
    /// Derived keys, in the order of the secrets: signing uses the first, checking accepts any (rotation, as the
    /// gossip keyring does).
    private let keys: [SymmetricKey]

    static let info = Array("rivulet forwarded call".utf8)
    private static let domain = "rivulet-forward-v2"
    /// Bytes of the random nonce each signature carries.
    public static let nonceByteCount = 16

    /// Keys from the raw cluster secrets (32 bytes each, decoded from `cluster.secret`), the current one first.
    /// The list must not be empty: a node without a secret has no `ForwardSignature` at all.
    public init(secrets: [[UInt8]]) {
        precondition(!secrets.isEmpty, "ForwardSignature needs at least one secret")
        keys = secrets.map {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: $0), info: Self.info, outputByteCount: 32)
        }
    }

    /// Keys from `cluster.secret` as configured (base64 of 32 bytes, validated by the config loader); nil when the
    /// list is empty, meaning forwarded calls are not signed.
    public init?(base64Secrets: [String]) {
        let secrets = base64Secrets.compactMap { Data(base64Encoded: $0) }.filter { $0.count == 32 }.map { [UInt8]($0) }
        guard !secrets.isEmpty else { return nil }
        self.init(secrets: secrets)
    }

    /// The signature header value for a call `from` forwards to `to` at `unixMilliseconds`, signed with the first
    /// secret. `nonce` (`nonceByteCount` bytes) is fresh random bytes unless given, which only tests do.
    public func sign(method: String, target: String, body: [UInt8], from: String, to: String, at unixMilliseconds: UInt64,
                     nonce: [UInt8]? = nil) -> String {
        let nonce = nonce ?? Self.randomNonce()
        precondition(nonce.count == Self.nonceByteCount, "a forward signature nonce is \(Self.nonceByteCount) bytes")
        let nonceHex = Hex.encode(nonce)
        let message = Self.message(method: method, target: target, body: body, from: from, to: to,
                                   timestamp: unixMilliseconds, nonce: nonceHex)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: keys[0])
        return "t=\(unixMilliseconds),n=\(from),r=\(to),x=\(nonceHex),v2=\(Hex.encode(code))"
    }

    /// Whether the parsed signature's MAC is that of the call under any of the keys; compares in constant time.
    func isValid(_ parsed: Parsed, method: String, target: String, body: [UInt8]) -> Bool {
        let message = Self.message(method: method, target: target, body: body, from: parsed.node, to: parsed.recipient,
                                   timestamp: parsed.timestamp, nonce: Hex.encode(parsed.nonce))
        return keys.contains { HMAC<SHA256>.isValidAuthenticationCode(parsed.code, authenticating: message, using: $0) }
    }

    private static func message(method: String, target: String, body: [UInt8], from: String, to: String,
                                timestamp: UInt64, nonce: String) -> [UInt8] {
        let bodyHash = Hex.encode(SHA256.hash(data: body))
        return Array([domain, method, target, bodyHash, String(timestamp), from, to, nonce].joined(separator: "\n").utf8)
    }

    /// Fresh bytes from the system's cryptographically secure generator, eight at a time.
    private static func randomNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var nonce: [UInt8] = []
        nonce.reserveCapacity(nonceByteCount + 7)
        while nonce.count < nonceByteCount {
            withUnsafeBytes(of: generator.next() as UInt64) { nonce.append(contentsOf: $0) }
        }
        return Array(nonce.prefix(nonceByteCount))
    }

    /// A parsed header value.
    struct Parsed: Equatable {
        var timestamp: UInt64
        /// The forwarding node.
        var node: String
        /// The node the call was signed for.
        var recipient: String
        var nonce: [UInt8]
        var code: [UInt8]
    }

    /// Parses `t=…,n=…,r=…,x=…,v2=…` in any order; unknown fields (such as the first format's `v1=`) are ignored so a
    /// later version may add some. Nil when a field is missing, repeated or not well formed.
    static func parse(_ value: String) -> Parsed? {
        var timestamp: UInt64?
        var node: String?
        var recipient: String?
        var nonce: [UInt8]?
        var code: [UInt8]?
        for field in value.split(separator: ",", omittingEmptySubsequences: false) {
            guard let equals = field.firstIndex(of: "=") else { return nil }
            let key = field[..<equals].trimmingCharacters(in: .whitespaces)
            let text = field[field.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "t":
                guard timestamp == nil, let parsed = UInt64(text) else { return nil }
                timestamp = parsed
            case "n":
                guard node == nil, !text.isEmpty else { return nil }
                node = text
            case "r":
                guard recipient == nil, !text.isEmpty else { return nil }
                recipient = text
            case "x":
                guard nonce == nil, let parsed = Hex.decode(text), parsed.count == nonceByteCount else { return nil }
                nonce = parsed
            case "v2":
                guard code == nil, let parsed = Hex.decode(text), parsed.count == SHA256.byteCount else { return nil }
                code = parsed
            default:
                continue
            }
        }
        guard let timestamp, let node, let recipient, let nonce, let code else { return nil }
        return Parsed(timestamp: timestamp, node: node, recipient: recipient, nonce: nonce, code: code)
    }

    /// The wall clock in unix milliseconds, what nodes sign with and check against. Nodes of one cluster must keep
    /// their clocks within the verifier's window of each other (NTP does).
    public static func unixMilliseconds() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1000))
    }

    /// Why a forwarded call was refused.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The call carries the hop header but no signature, while this node has a secret.
        case missing
        /// The signature header is not `t=…,n=…,r=…,x=…,v2=…`.
        case malformed
        /// The timestamp is outside the freshness window (an old capture, or clocks too far apart).
        case stale
        /// No key of this node produces the MAC: another secret, or a changed method, target, body, node names or
        /// nonce.
        case badSignature
        /// The signature was made for another node: a call captured on its way there and sent here instead.
        case wrongRecipient
        /// The same signature was already accepted inside the window.
        case replayed

        public var description: String {
            switch self {
            case .missing: "no signature"
            case .malformed: "malformed signature"
            case .stale: "signature timestamp outside the accepted window (old call or clocks apart)"
            case .badSignature: "signature does not match"
            case .wrongRecipient: "signature is addressed to another node"
            case .replayed: "signature already used"
            }
        }
    }
}
