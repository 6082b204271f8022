import HTTP

/// The one place where errors become response bodies, in the shape of the route family the request belongs to:
/// Jitsu's `{"message": "..."}` for most routes; the analytics-connector API, whose clients read
/// `{"errorCode": int, "errorMessage": "..."}`; and the OAuth2 token endpoint under `/iam/`, whose clients read
/// RFC 6749 §5.2's `{"error": code, "error_description": "..."}`.
enum ErrorMapping {
    static let connectorPrefix = "/analytics-connector/"
    static let iamPrefix = "/iam/"

    static let render: ErrorRenderer = { error, request in
        if request.path.hasPrefix(connectorPrefix) {
            return json(ConnectorError(errorCode: error.status.code, errorMessage: error.message), for: error)
        }
        if request.path.hasPrefix(iamPrefix) {
            // Router errors (404, 405, 413) and 500s carry no OAuth code; §5.2 has invalid_request for the first.
            let code = (error as? OAuthError)?.code.rawValue ?? (error.status.code >= 500 ? "server_error" : "invalid_request")
            return json(OAuthErrorBody(error: code, error_description: error.message), for: error)
        }
        return Router.renderMessageError(error, request)
    }

    private static func json(_ body: some Encodable, for error: any HTTPResponseError) -> HTTPResponse {
        var response = HTTPResponse.json(body, status: error.status)
        for (name, value) in error.headers { response.headers.set(name, value) }
        return response
    }

    private struct ConnectorError: Encodable {
        let errorCode: Int
        let errorMessage: String
    }

    private struct OAuthErrorBody: Encodable {
        let error: String
        let error_description: String
    }
}
