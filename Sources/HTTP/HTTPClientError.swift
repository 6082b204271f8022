import Loop

/// Why an outgoing request failed. Callers map these to their own errors (a 503 naming an unreachable owner).
public enum HTTPClientError: Error, Equatable, CustomStringConvertible {
    case resolveFailed(host: String, LoopError)
    case connectFailed(address: String, LoopError)
    case connectTimeout(address: String)
    case readTimeout(address: String)
    /// The server closed the connection before the response was complete.
    case connectionClosed(address: String)
    case malformedResponse(address: String, reason: String)
    case responseTooLarge(address: String)

    public var description: String {
        switch self {
        case .resolveFailed(let host, let error): "cannot resolve \(host): \(error)"
        case .connectFailed(let address, let error): "cannot connect to \(address): \(error)"
        case .connectTimeout(let address): "timed out connecting to \(address)"
        case .readTimeout(let address): "timed out waiting for the response of \(address)"
        case .connectionClosed(let address): "\(address) closed the connection before responding"
        case .malformedResponse(let address, let reason): "malformed response from \(address): \(reason)"
        case .responseTooLarge(let address): "response from \(address) is too large"
        }
    }
}
