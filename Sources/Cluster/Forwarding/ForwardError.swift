import HTTP

/// Why forwarding an admin call did not produce the owner's answer. Each case renders itself as the error answer
/// the API promises (design.md, "Errors"): the router catches it like any `HTTPResponseError`.
public enum ForwardError: HTTPResponseError, Equatable, CustomStringConvertible {
    /// The owner did not answer: refused, reset, unresolvable or silent past the timeout. A 503 naming the owner,
    /// with the owner's name also in the `owner` field. After a timeout the owner may still have acted on the call.
    case ownerUnreachable(owner: String, what: String, reason: String)
    /// This node received a call (typically a forwarded one) for something it no longer owns: a 409 whose `owner`
    /// field names the current owner, so the caller can retry there.
    case notOwner(owner: String, what: String)
    /// A forwarded call whose signature did not check out: a 401.
    case refused(ForwardSignature.Failure)

    public var status: HTTPStatus {
        switch self {
        case .ownerUnreachable: .serviceUnavailable
        case .notOwner: .conflict
        case .refused: .unauthorized
        }
    }

    public var message: String {
        switch self {
        case .ownerUnreachable(let owner, let what, let reason): "owner \(owner) of \(what) is unreachable: \(reason)"
        case .notOwner(let owner, let what): "this node is not the owner of \(what) any more; its owner is \(owner)"
        case .refused(let failure): "forwarded call refused: \(failure)"
        }
    }

    public var fields: [String: String] {
        switch self {
        case .ownerUnreachable(let owner, _, _), .notOwner(let owner, _): ["owner": owner]
        case .refused: [:]
        }
    }

    public var description: String { "\(status.code): \(message)" }
}
