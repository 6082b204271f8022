/// An error that knows its HTTP status and the message a client may see.
///
/// The router catches errors once: these render with their own status, anything else becomes a 500 with a generic
/// message while the log keeps the real error (Hummingbird's `HTTPResponseError`).
public protocol HTTPResponseError: Error {
    var status: HTTPStatus { get }
    /// Safe to show to the client.
    var message: String { get }
    /// Extra response headers, such as `Allow` on a 405.
    var headers: HTTPHeaders { get }
    /// Extra fields of the error body beside the message, such as Jitsu's `format` on a template error.
    var fields: [String: String] { get }
}

extension HTTPResponseError {
    public var headers: HTTPHeaders { [:] }
    public var fields: [String: String] { [:] }
}

/// The plain `HTTPResponseError`: a status and a message.
public struct HTTPError: HTTPResponseError, Equatable, CustomStringConvertible {
    public let status: HTTPStatus
    public let message: String
    public let headers: HTTPHeaders
    public let fields: [String: String]

    public init(_ status: HTTPStatus, _ message: String, headers: HTTPHeaders = [:], fields: [String: String] = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
        self.fields = fields
    }

    public var description: String { "\(status): \(message)" }
}
