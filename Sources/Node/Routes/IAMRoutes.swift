import Auth
import Foundation
import HTTP

/// `POST /iam/v3/oauth/token`: the OAuth2 client credentials grant (RFC 6749 §4.4) at AccelByte IAM's path, so an
/// analytics-connector client gets its bearer token here as it would from AccelByte. No admin token: the client's
/// own credentials authenticate the request. Errors come in RFC 6749 §5.2's shape (`ErrorMapping` renders
/// `OAuthError`s as `{"error", "error_description"}`).
struct IAMRoutes: Sendable {
    let issuer: TokenIssuer

    func register(on router: inout Router) throws(RouterError) {
        try router.post("/iam/v3/oauth/token", handler: issueToken)
    }

    /// The token response (RFC 6749 §5.1) plus AccelByte's `permissions`.
    struct TokenResponse: Encodable {
        let access_token: String
        let token_type: String
        let expires_in: Int
        let permissions: [Permission]
    }

    /// Form body `grant_type=client_credentials`; the client authenticates with HTTP Basic or, as RFC 6749 §2.3.1
    /// also allows, with `client_id` and `client_secret` form fields (never both).
    @Sendable func issueToken(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        if let type = request.headers["Content-Type"], !type.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            throw OAuthError(.invalidRequest, "the body must be application/x-www-form-urlencoded, not \(type)")
        }
        let form = HTTPRequest.formFields(String(decoding: request.body, as: UTF8.self)[...])
        guard let grantType = form["grant_type"], !grantType.isEmpty else {
            throw OAuthError(.invalidRequest, "grant_type is missing; this endpoint takes grant_type=client_credentials")
        }
        guard grantType == "client_credentials" else {
            throw OAuthError(.unsupportedGrantType, "grant_type \(grantType) is not supported; use client_credentials")
        }
        let (clientID, secret) = try Self.clientCredentials(request, form: form)
        let token: TokenIssuer.Token
        do {
            token = try await issuer.issue(clientID: clientID, secret: secret)
        } catch .notConfigured {
            throw OAuthError(.temporarilyUnavailable, "\(TokenIssuer.Refusal.notConfigured)")
        } catch {
            context.logger.info("token refused", metadata: ["client_id": "\(clientID)"])
            throw OAuthError(.invalidClient, "\(error)")
        }
        // RFC 6749 §5.1: a response carrying a token must not be cached.
        return .json(TokenResponse(access_token: token.accessToken, token_type: "Bearer", expires_in: token.expiresIn,
                                   permissions: token.permissions),
                     headers: ["Cache-Control": "no-store", "Pragma": "no-cache"])
    }

    /// The client id and secret from Basic authentication (each form-decoded after base64, RFC 6749 §2.3.1) or from
    /// the form; a 400 when the header is not well-formed Basic or both ways are used, a 401 when neither is.
    static func clientCredentials(_ request: HTTPRequest, form: [String: String]) throws(OAuthError) -> (id: String, secret: String) {
        guard let authorization = request.headers["Authorization"] else {
            guard let id = form["client_id"], !id.isEmpty, let secret = form["client_secret"] else {
                throw OAuthError(.invalidClient, "client authentication is missing: send HTTP Basic credentials (curl -u id:secret)")
            }
            return (id, secret)
        }
        guard form["client_secret"] == nil else {
            throw OAuthError(.invalidRequest, "send the client credentials either with HTTP Basic or in the form, not both")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: parts[1].trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8),
              let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw OAuthError(.invalidRequest, "the Authorization header must be Basic base64(client_id:client_secret)")
        }
        return (HTTPRequest.decodeFormComponent(text[..<colon]),
                HTTPRequest.decodeFormComponent(text[text.index(after: colon)...]))
    }
}

/// An error of the token endpoint with its RFC 6749 §5.2 code; `ErrorMapping` renders it.
struct OAuthError: HTTPResponseError, Equatable {
    enum Code: String {
        case invalidRequest = "invalid_request"
        case invalidClient = "invalid_client"
        case unsupportedGrantType = "unsupported_grant_type"
        /// Not in §5.2's list but in §4.1.2.1's: the node has no key to sign with.
        case temporarilyUnavailable = "temporarily_unavailable"
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var status: HTTPStatus {
        switch code {
        case .invalidRequest, .unsupportedGrantType: .badRequest
        case .invalidClient: .unauthorized
        case .temporarilyUnavailable: .serviceUnavailable
        }
    }

    /// §5.2: a 401 for a failed client authentication names the scheme the client must use.
    var headers: HTTPHeaders {
        code == .invalidClient ? ["WWW-Authenticate": "Basic realm=\"rivulet\""] : [:]
    }
}
