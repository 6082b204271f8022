/// An `http://host[:port][/path][?query]` URL split into what `HTTPClient.execute` needs. The webhook URL and the S3
/// endpoint are read through it.
///
/// Only plain HTTP: the node's `HTTPClient` speaks no TLS, so an `https://` URL fails here with an error saying so,
/// at configuration time where the URL is fixed and per event where it comes from a template. Public so connector
/// sinks can check an S3 endpoint when a connector is created.
public struct HTTPURL: Sendable, Equatable {
    /// The host without IPv6 brackets, for resolving.
    let host: String
    let port: Int
    /// `host` or `host:port` as written: the `Host` header (and what S3 signs).
    let authority: String
    /// Path and query as sent; `/` when the URL has none.
    let target: String

    public init(parsing text: String) throws(HTTPURLError) {
        let lower = text.lowercased()
        if lower.hasPrefix("https://") { throw .tlsUnsupported(text) }
        guard lower.hasPrefix("http://") else { throw .malformed(text, reason: "must start with http://") }
        guard !text.contains(where: { $0.isWhitespace }) else { throw .malformed(text, reason: "contains whitespace") }
        let rest = text.dropFirst("http://".count)
        let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = String(rest[..<pathStart])
        let path = rest[pathStart...]
        target = path.isEmpty ? "/" : (path.hasPrefix("?") ? "/\(path)" : String(path))
        self.authority = authority
        guard !authority.contains("@") else { throw .malformed(text, reason: "user information is not supported") }
        var host = Substring(authority)
        var port = 80
        // The port colon is the last one outside IPv6 brackets.
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw .malformed(text, reason: "the port is not a number from 1 to 65535")
            }
            port = number
            host = authority[..<colon]
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { throw .malformed(text, reason: "has no host") }
        self.host = String(host)
        self.port = port
    }
}

/// Why a URL is not one `HTTPURL` accepts.
public enum HTTPURLError: Error, Equatable, CustomStringConvertible {
    case tlsUnsupported(String)
    case malformed(String, reason: String)

    public var description: String {
        switch self {
        case .tlsUnsupported(let url):
            "\(url): https is not supported, the node's HTTP client speaks plain HTTP only (use http://, or a TLS-terminating proxy)"
        case .malformed(let url, let reason):
            "\(url) is not an http:// URL: \(reason)"
        }
    }
}
