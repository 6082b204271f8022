import HTTP

/// Checks the signature of forwarded calls sent to this node and remembers the signatures it accepted inside the
/// freshness window, so a captured forwarded call cannot be sent again, here or (being signed for this node) to any
/// other node.
///
/// Memory stays bounded: a signature is remembered only once its MAC checked out (so only cluster members can add
/// entries), and only until its timestamp leaves the window, after which the freshness check alone refuses it.
/// Loop-bound: call it from the loop thread only (the router's handlers run there).
public final class ForwardVerifier: @unchecked Sendable {
    public let signature: ForwardSignature
    /// This node's name: only signatures made for it are accepted.
    public let localName: String
    /// Milliseconds a timestamp may be away from this node's clock, in either direction (clock skew counts too).
    public let window: UInt64
    /// Accepted MACs (unique per call, as each signature has its own nonce) and the timestamp each was signed at.
    private var seen: [[UInt8]: UInt64] = [:]
    /// When the last sweep of `seen` ran; sweeps run at most every half window.
    private var lastSweep: UInt64 = 0

    /// `window` is in milliseconds (default 30 s): longer tolerates more clock skew, shorter remembers fewer
    /// signatures and narrows the time a capture is worth anything.
    public init(signature: ForwardSignature, localName: String, window: UInt64 = 30_000) {
        self.signature = signature
        self.localName = localName
        self.window = window
    }

    /// Checks the `X-Rivulet-Signature` of `request` at `unixMilliseconds` (this node's wall clock). Returns the
    /// forwarding node's name, or why the call must be refused. The signature must be addressed to `localName`, and
    /// when the request names its forwarder in the hop header, that name must be the signed one.
    public func verify(_ request: HTTPRequest, now unixMilliseconds: UInt64) -> Result<String, ForwardSignature.Failure> {
        sweep(now: unixMilliseconds)
        guard let header = request.headers[ForwardHeaders.signature] else { return .failure(.missing) }
        guard let parsed = ForwardSignature.parse(header) else { return .failure(.malformed) }
        let age = parsed.timestamp > unixMilliseconds ? parsed.timestamp - unixMilliseconds : unixMilliseconds - parsed.timestamp
        guard age <= window else { return .failure(.stale) }
        guard parsed.recipient == localName else { return .failure(.wrongRecipient) }
        if let hop = request.headers[ForwardHeaders.forwardedBy], hop != parsed.node { return .failure(.badSignature) }
        guard signature.isValid(parsed, method: request.method.rawValue, target: request.target, body: request.body) else {
            return .failure(.badSignature)
        }
        guard seen.updateValue(parsed.timestamp, forKey: parsed.code) == nil else { return .failure(.replayed) }
        return .success(parsed.node)
    }

    /// Signatures remembered now; for tests of the memory bound.
    var remembered: Int { seen.count }

    /// Forgets signatures whose timestamps left the window: the freshness check refuses them from now on.
    private func sweep(now: UInt64) {
        guard now >= lastSweep &+ window / 2 || now < lastSweep else { return }
        lastSweep = now
        seen = seen.filter { $0.value + window >= now }
    }
}
