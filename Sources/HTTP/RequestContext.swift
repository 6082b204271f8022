import Logging
import Loop

/// Per-request values a handler needs besides the request itself; a fresh value for every request.
public struct RequestContext: Sendable {
    /// From the client's `X-Request-Id`, or generated; echoed in the response and in every log line.
    public let requestID: String
    /// Values of the `{name}` segments of the matched route, percent-decoded.
    public let parameters: [String: String]
    /// The route pattern that matched, such as `/api/v1/cluster` (metrics label, logs).
    public let route: String
    /// The TCP peer.
    public let remoteAddress: SocketAddress?
    private let baseLogger: Logger

    public init(requestID: String, parameters: [String: String] = [:], route: String = "", remoteAddress: SocketAddress? = nil, logger: Logger) {
        self.requestID = requestID
        self.parameters = parameters
        self.route = route
        self.remoteAddress = remoteAddress
        baseLogger = logger
    }

    /// Tagged with the request id; made when asked for, since most requests never log.
    public var logger: Logger {
        var logger = baseLogger
        logger[metadataKey: "request_id"] = "\(requestID)"
        return logger
    }

    /// The path parameter `name`; a 400 when the route has none of that name (a bug) or it is empty.
    public func parameter(_ name: String) throws(HTTPError) -> String {
        guard let value = parameters[name], !value.isEmpty else {
            throw HTTPError(.badRequest, "Missing path parameter '\(name)'")
        }
        return value
    }

    /// The path parameter `name` converted to `T`; a 400 naming it when it does not convert.
    public func parameter<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws(HTTPError) -> T {
        let text = try parameter(name)
        guard let value = T(text) else {
            throw HTTPError(.badRequest, "Path parameter '\(name)' has an invalid value '\(text)'")
        }
        return value
    }
}
