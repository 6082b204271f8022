import Auth
import HTTP

/// Wraps admin handlers with Jitsu's token check (query `token` first, then `X-Admin-Token`); a refusal is a 401
/// with Jitsu's message.
struct AdminAuthentication: Sendable {
    let token: AdminToken

    func callAsFunction(_ handler: @escaping Handler) -> Handler {
        let token = self.token
        return { request, context in
            do {
                try token.verify(request.query["token"] ?? request.headers["X-Admin-Token"])
            } catch {
                throw HTTPError(.unauthorized, "\(error)")
            }
            return try await handler(request, context)
        }
    }
}
