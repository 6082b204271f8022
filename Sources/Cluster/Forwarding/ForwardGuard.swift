import HTTP

/// The receiving side of forwarding, for the router to call before a handler runs.
///
/// A call without the hop header is a direct call and passes untouched. A forwarded call is checked against the
/// cluster secret when one is configured (refused with a 401 otherwise); without a secret every forwarded call is
/// accepted, as gossip then runs in clear too. Loop-bound, like the verifier it holds.
public struct ForwardGuard: Sendable {
    /// Nil when the node has no `cluster.secret`.
    public let verifier: ForwardVerifier?

    public init(verifier: ForwardVerifier?) {
        self.verifier = verifier
    }

    /// A guard for the given secret configuration on the node named `localName`: with a signature, a verifier with
    /// the default window that accepts only calls signed for `localName`.
    public init(signature: ForwardSignature?, localName: String) {
        self.init(verifier: signature.map { ForwardVerifier(signature: $0, localName: localName) })
    }

    /// Nil for a direct call, the forwarding node's name for an accepted forwarded call. Throws
    /// `ForwardError.refused` (401 `{"message": "forwarded call refused: …"}`) for a forwarded call whose signature is
    /// missing, malformed, stale, forged, addressed to another node or replayed. `now` is this node's wall clock in
    /// unix milliseconds.
    public func check(_ request: HTTPRequest, now: UInt64 = ForwardSignature.unixMilliseconds()) throws(ForwardError) -> String? {
        guard let forwarder = request.headers[ForwardHeaders.forwardedBy] else { return nil }
        guard let verifier else { return forwarder }
        switch verifier.verify(request, now: now) {
        case .success(let node): return node
        case .failure(let failure): throw .refused(failure)
        }
    }

    /// Whether `request` was forwarded by another node, so it must be answered here and never forwarded again.
    public static func isForwarded(_ request: HTTPRequest) -> Bool {
        request.headers.contains(ForwardHeaders.forwardedBy)
    }

    /// The 409 for a call this node received for `what` that `owner` now owns:
    /// `{"message": "this node is not the owner of <what> any more; its owner is <owner>", "owner": "<owner>"}`.
    public static func notOwner(_ owner: String, of what: String) -> ForwardError {
        .notOwner(owner: owner, what: what)
    }
}
