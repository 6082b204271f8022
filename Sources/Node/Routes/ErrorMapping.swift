import HTTP

/// The one place where errors become response bodies, in the shape of the route family the request belongs to:
/// Jitsu's `{"message": "..."}` for everything but the analytics-connector API, whose clients read
/// `{"errorCode": int, "errorMessage": "..."}`.
enum ErrorMapping {
    static let connectorPrefix = "/analytics-connector/"

    static let render: ErrorRenderer = { error, request in
        guard request.path.hasPrefix(connectorPrefix) else {
            return Router.renderMessageError(error, request)
        }
        var response = HTTPResponse.json(ConnectorError(errorCode: error.status.code, errorMessage: error.message), status: error.status)
        for (name, value) in error.headers { response.headers.set(name, value) }
        return response
    }

    private struct ConnectorError: Encodable {
        let errorCode: Int
        let errorMessage: String
    }
}
