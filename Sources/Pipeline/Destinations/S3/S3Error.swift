import HTTP

/// Why an S3 request failed, split the way `StoreOutcome` needs it.
enum S3Error: Error, Equatable, CustomStringConvertible {
    /// No answer (resolve, connect, timeout, broken connection) or a 5xx: another attempt may succeed.
    case unreachable(String)
    /// S3 refused the request (4xx and anything else that is not a 5xx) with its error code and message, such as
    /// `AccessDenied`, `NoSuchBucket`, `InvalidAccessKeyId` or `SignatureDoesNotMatch`.
    case refused(status: Int, code: String, message: String)

    /// The error of a response that is not a 2xx, read from S3's XML error body (`<Error><Code>...</Code>
    /// <Message>...</Message></Error>`, S3 API "Error responses"); bodiless answers (HEAD, some proxies) fall back
    /// to the status line.
    init(response: HTTPResponse) {
        let text = response.bodyText
        let code = Self.element("Code", in: text) ?? "HTTP\(response.status.code)"
        let message = Self.element("Message", in: text) ?? response.status.reason
        if response.status.code >= 500 {
            self = .unreachable("S3 answered \(response.status.code) \(code): \(message)")
        } else {
            self = .refused(status: response.status.code, code: code, message: message)
        }
    }

    var description: String {
        switch self {
        case .unreachable(let reason): reason
        case .refused(let status, let code, let message): "S3 refused the request (\(status) \(code)): \(message)"
        }
    }

    /// The text of the first `<name>` element, with XML's predefined entities decoded.
    private static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"), let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex) else {
            return nil
        }
        var text = String(xml[open.upperBound..<close.lowerBound])
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }
}
