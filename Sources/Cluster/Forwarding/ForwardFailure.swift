import HTTP

/// Why one hop failed, for the 503's reason and the log.
enum ForwardFailure: Error, CustomStringConvertible {
    /// The member's HTTP address from gossip metadata is not `host:port`.
    case badAddress(String)
    /// The client failed: resolving, connecting, a connection closed early, a malformed or too large answer.
    case client(HTTPClientError)
    /// The deadline passed before the answer was complete.
    case noAnswer(milliseconds: UInt64)
    /// Anything else, such as a loop that could not make a timer.
    case other(String)

    var description: String {
        switch self {
        case .badAddress(let address): "its address \"\(address)\" is not host:port"
        case .client(let error): "\(error)"
        case .noAnswer(let milliseconds): "no answer within \(milliseconds) ms"
        case .other(let text): text
        }
    }
}
