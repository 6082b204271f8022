import HTTP

/// Why an S3 request failed, split the way `StoreOutcome` needs it.
public enum S3Error: Error, Equatable, CustomStringConvertible {
    /// No answer (resolve, connect, timeout, broken connection) or a 5xx: another attempt may succeed.
    case unreachable(String)
    /// S3 refused the request (4xx and anything else that is not a 5xx) with its error code and message, such as
    /// `AccessDenied`, `NoSuchBucket`, `InvalidAccessKeyId` or `SignatureDoesNotMatch`.
    case refused(status: Int, code: String, message: String)

    /// The error of a response that is not a 2xx, or of a 2xx carrying an `<Error>` body, read from S3's XML error
    /// body (`<Error><Code>...</Code><Message>...</Message></Error>`, S3 API "Error responses"); bodiless answers
    /// (HEAD, some proxies) fall back to the status line.
    init(response: HTTPResponse) {
        let text = response.bodyText
        let status = response.status.code
        let code = S3XML.element("Code", in: text) ?? "HTTP\(status)"
        let message = S3XML.element("Message", in: text) ?? response.status.reason
        // CompleteMultipartUpload answers 200 before it has finished and reports a late failure (such as
        // `InternalError`) in the body; S3's documentation says to retry those, like a 5xx.
        if status >= 500 || (200..<300).contains(status) {
            self = .unreachable("S3 answered \(status) \(code): \(message)")
        } else {
            self = .refused(status: status, code: code, message: message)
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let reason): reason
        case .refused(let status, let code, let message): "S3 refused the request (\(status) \(code)): \(message)"
        }
    }
}
