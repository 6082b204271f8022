import Auth
import Foundation
import HTTP

/// Wraps handlers of the analytics-connector API with a permission check, as AccelByte's services check IAM tokens:
/// `Authorization: Bearer <token from POST /iam/v3/oauth/token>` must verify and one of its permissions must cover
/// the route's. An `X-Admin-Token` header is the operator's way in and grants everything; when present it alone
/// decides, so a wrong admin token is refused even beside a good bearer token.
///
/// Refusals are 401 (no credentials, or a token that does not verify) and 403 (a good token without the
/// permission), with RFC 6750 §3's `WWW-Authenticate` challenge; `ErrorMapping` gives them the route family's shape.
struct BearerAuthentication: Sendable {
    let issuer: TokenIssuer
    let admin: AdminToken

    /// `handler`, run only for requests allowed to do `action` on `resource` (such as
    /// `ADMIN:ANALYTICS:CONNECTOR`, `.read`).
    func callAsFunction(_ resource: String, _ action: Permission.Action, _ handler: @escaping Handler) -> Handler {
        let required = Permission(resource: resource, action: action)
        return { [issuer, admin] request, context in
            if let presented = request.headers["X-Admin-Token"] {
                do {
                    try admin.verify(presented)
                } catch {
                    throw HTTPError(.unauthorized, "\(error)")
                }
                return try await handler(request, context)
            }
            guard let authorization = request.headers["Authorization"] else {
                throw HTTPError(.unauthorized, "Authorization: Bearer <token> is required; get a token from POST /iam/v3/oauth/token",
                                headers: ["WWW-Authenticate": "Bearer realm=\"rivulet\""])
            }
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw Self.invalidToken("the Authorization header must be Bearer <token>")
            }
            let claims: TokenIssuer.Claims
            do {
                claims = try await issuer.verify(bearer: parts[1].trimmingCharacters(in: .whitespaces))
            } catch {
                throw Self.invalidToken("\(error)")
            }
            guard claims.permissions.allow(required) else {
                throw HTTPError(.forbidden, "client \(claims.clientID) lacks permission \(required)",
                                headers: ["WWW-Authenticate": "Bearer realm=\"rivulet\", error=\"insufficient_scope\""])
            }
            return try await handler(request, context)
        }
    }

    private static func invalidToken(_ message: String) -> HTTPError {
        HTTPError(.unauthorized, message, headers: ["WWW-Authenticate": "Bearer realm=\"rivulet\", error=\"invalid_token\""])
    }
}
