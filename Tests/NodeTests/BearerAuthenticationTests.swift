import Auth
import Crypto
import Foundation
import HTTP
import Testing
@testable import Node

/// `BearerAuthentication` guarding a route registered here for the test, under `/analytics-connector/` so refusals
/// come in the connector API's shape; tokens come from the real token route on the same router.
@Suite struct BearerAuthenticationTests {
    static let key = Array("0123456789abcdef0123456789abcdef".utf8)

    /// A router with the token route and `GET /analytics-connector/v1/test`, which needs update on
    /// `ADMIN:NAMESPACE:{any}:ANALYTICS`. Client `writer` has it; `reader` may only read; tokens are signed with `key`.
    private func router(key: [UInt8] = key) throws -> Router {
        func client(_ id: String, _ action: Permission.Action) -> IAMSettings.Client {
            IAMSettings.Client(id: id, secretSHA256: Array(SHA256.hash(data: Array("secret".utf8))),
                               permissions: [Permission(resource: "ADMIN:NAMESPACE:*:ANALYTICS", action: action)])
        }
        let issuer = TokenIssuer(settings: IAMSettings(clients: [client("writer", .all), client("reader", .read)], signingKeys: [key]))
        let bearer = BearerAuthentication(issuer: issuer, admin: AdminToken("s3cret"))
        var router = Router(renderError: ErrorMapping.render)
        try IAMRoutes(issuer: issuer).register(on: &router)
        try router.get("/analytics-connector/v1/test", handler: bearer("ADMIN:NAMESPACE:game1:ANALYTICS", .update) { _, _ in
            .json(["served": true])
        })
        return router
    }

    private func token(_ client: String, from router: Router) async throws -> String {
        let response = await router.respond(to: HTTPRequest(
            method: .post, target: "/iam/v3/oauth/token",
            headers: ["Authorization": "Basic " + Data("\(client):secret".utf8).base64EncodedString()],
            body: Array("grant_type=client_credentials".utf8)))
        return try #require(try jsonObject(response.bodyText)["access_token"] as? String)
    }

    private func call(_ router: Router, _ headers: HTTPHeaders) async -> HTTPResponse {
        await router.respond(to: HTTPRequest(method: .get, target: "/analytics-connector/v1/test", headers: headers))
    }

    /// The response is a connector-shaped error with `status` whose message mentions `text`.
    private func expectRefusal(_ response: HTTPResponse, _ status: HTTPStatus, mentioning text: String,
                               sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == status, "\(response.bodyText)", sourceLocation: sourceLocation)
        let body = try jsonObject(response.bodyText)
        #expect(body["errorCode"] as? Int == status.code, sourceLocation: sourceLocation)
        #expect((body["errorMessage"] as? String)?.contains(text) == true, "\(response.bodyText)", sourceLocation: sourceLocation)
    }

    @Test func tokenWithThePermissionIsServed() async throws {
        let router = try router()
        let response = await call(router, ["Authorization": "Bearer " + (try await token("writer", from: router))])
        #expect(response.status == .ok)
        #expect(response.bodyText == #"{"served":true}"#)
        // The scheme is case-insensitive (RFC 9110 §11.1).
        #expect(await call(router, ["Authorization": "bearer " + (try await token("writer", from: router))]).status == .ok)
    }

    @Test func tokenWithoutThePermissionIs403NamingIt() async throws {
        let router = try router()
        let response = await call(router, ["Authorization": "Bearer " + (try await token("reader", from: router))])
        try expectRefusal(response, .forbidden, mentioning: "client reader lacks permission ADMIN:NAMESPACE:game1:ANALYTICS (action 4)")
        #expect(response.headers["WWW-Authenticate"]?.contains(#"error="insufficient_scope""#) == true)
    }

    @Test func missingOrInvalidTokensAre401() async throws {
        let router = try router()
        let missing = await call(router, [:])
        try expectRefusal(missing, .unauthorized, mentioning: "Authorization: Bearer <token> is required")
        #expect(missing.headers["WWW-Authenticate"] == #"Bearer realm="rivulet""#)

        let foreign = try await token("writer", from: try self.router(key: Array("some other key of thirty-two bytes".utf8)))
        try expectRefusal(await call(router, ["Authorization": "Bearer " + foreign]), .unauthorized, mentioning: "signature is invalid")
        try expectRefusal(await call(router, ["Authorization": "Bearer not-a-jwt"]), .unauthorized, mentioning: "not a valid JWT")
        let basic = await call(router, ["Authorization": "Basic " + Data("writer:secret".utf8).base64EncodedString()])
        try expectRefusal(basic, .unauthorized, mentioning: "must be Bearer")
        #expect(basic.headers["WWW-Authenticate"]?.contains(#"error="invalid_token""#) == true)
    }

    @Test func adminTokenIsASuperuserAndAWrongOneIsRefused() async throws {
        let router = try router()
        #expect(await call(router, ["X-Admin-Token": "s3cret"]).status == .ok)
        try expectRefusal(await call(router, ["X-Admin-Token": "wrong"]), .unauthorized, mentioning: "Admin token does not match")
        // The admin header alone decides: a good bearer token does not rescue a wrong admin token.
        let writer = try await token("writer", from: router)
        #expect(await call(router, ["X-Admin-Token": "wrong", "Authorization": "Bearer " + writer]).status == .unauthorized)
    }
}
