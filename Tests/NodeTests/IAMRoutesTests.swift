import Foundation
import NodeConfig
import Testing
import TestSupport

/// `POST /iam/v3/oauth/token` on a live in-process node, through real HTTP: the client credentials grant and every
/// refusal in RFC 6749 §5.2's shape.
@Suite(.serialized) struct IAMRoutesTests {
    /// SHA-256 of `secret`.
    static let hashOfSecret = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b"
    static let form = ["Content-Type": "application/x-www-form-urlencoded"]

    /// A node with the client `analytics` (secret `secret`); signing with `cluster.secret` unless `clusterSecret` is
    /// false, when it has no key at all.
    private static func node(clusterSecret: Bool = true) throws -> LiveNode {
        try LiveNode(name: "iam") { configuration in
            if clusterSecret { configuration.cluster.secrets = [Data(repeating: 5, count: 32).base64EncodedString()] }
            configuration.iam = .map(["clients": .array([
                .map(["id": .string("analytics"), "secret_sha256": .string(hashOfSecret),
                      "permissions": .array([.map(["resource": .string("ADMIN:ANALYTICS:CONNECTOR"), "action": .int(15)])])]),
            ])])
        }
    }

    private func basic(_ credentials: String) -> [String: String] {
        Self.form.merging(["Authorization": "Basic " + Data(credentials.utf8).base64EncodedString()]) { $1 }
    }

    /// The response is an RFC 6749 §5.2 error with `code`, and its description mentions `text`.
    private func expectOAuthError(_ response: RawResponse, _ status: Int, _ code: String, mentioning text: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == status, "\(response.body)", sourceLocation: sourceLocation)
        let body = try jsonObject(response.body)
        #expect(body["error"] as? String == code, "\(response.body)", sourceLocation: sourceLocation)
        #expect((body["error_description"] as? String)?.contains(text) == true, "\(response.body)", sourceLocation: sourceLocation)
        #expect(body.count == 2, "\(response.body)", sourceLocation: sourceLocation)
    }

    @Test func clientCredentialsInBasicOrInTheFormGetABearerToken() throws {
        let node = try Self.node()
        defer { node.stop() }
        let response = try node.send("/iam/v3/oauth/token", body: "grant_type=client_credentials", headers: basic("analytics:secret"))
        #expect(response.status == 200, "\(response.body)")
        #expect(response.headers["cache-control"] == "no-store")
        let body = try jsonObject(response.body)
        #expect((body["access_token"] as? String)?.split(separator: ".").count == 3)
        #expect(body["token_type"] as? String == "Bearer")
        #expect(body["expires_in"] as? Int == 3600)
        let permissions = try #require(body["permissions"] as? [[String: Any]])
        #expect(permissions.count == 1)
        #expect(permissions.first?["Resource"] as? String == "ADMIN:ANALYTICS:CONNECTOR")
        #expect(permissions.first?["Action"] as? Int == 15)

        let fromForm = try node.send("/iam/v3/oauth/token", body: "grant_type=client_credentials&client_id=analytics&client_secret=secret",
                                     headers: Self.form)
        #expect(fromForm.status == 200, "\(fromForm.body)")
        // A body without Content-Type is read as a form too.
        #expect(try node.send("/iam/v3/oauth/token", body: "grant_type=client_credentials", headers: ["Authorization": basic("analytics:secret")["Authorization"]!]).status == 200)
    }

    @Test func everyRefusalHasItsRFC6749CodeAndStatus() throws {
        let node = try Self.node()
        defer { node.stop() }
        let path = "/iam/v3/oauth/token"
        try expectOAuthError(try node.send(path, body: "", headers: basic("analytics:secret")), 400, "invalid_request", mentioning: "grant_type is missing")
        try expectOAuthError(try node.send(path, body: "grant_type=password&username=a&password=b", headers: basic("analytics:secret")),
                             400, "unsupported_grant_type", mentioning: "password")
        try expectOAuthError(try node.send(path, body: #"{"grant_type":"client_credentials"}"#, headers: ["Content-Type": "application/json"]),
                             400, "invalid_request", mentioning: "x-www-form-urlencoded")
        for malformed in ["Basic !!!", "Basic " + Data("no-colon".utf8).base64EncodedString(), "Basic " + Data(":secret".utf8).base64EncodedString(), "Bearer abc"] {
            try expectOAuthError(try node.send(path, body: "grant_type=client_credentials", headers: Self.form.merging(["Authorization": malformed]) { $1 }),
                                 400, "invalid_request", mentioning: "Basic")
        }
        try expectOAuthError(try node.send(path, body: "grant_type=client_credentials&client_secret=secret", headers: basic("analytics:secret")),
                             400, "invalid_request", mentioning: "not both")

        for credentials in ["analytics:wrong", "nobody:secret", "analytics:"] {
            let refused = try node.send(path, body: "grant_type=client_credentials", headers: basic(credentials))
            try expectOAuthError(refused, 401, "invalid_client", mentioning: "unknown client or wrong secret")
            #expect(refused.headers["www-authenticate"] == #"Basic realm="rivulet""#)
        }
        let anonymous = try node.send(path, body: "grant_type=client_credentials", headers: Self.form)
        try expectOAuthError(anonymous, 401, "invalid_client", mentioning: "missing")
        #expect(anonymous.headers["www-authenticate"] == #"Basic realm="rivulet""#)
        try expectOAuthError(try node.send(path, body: "grant_type=client_credentials&client_id=analytics", headers: Self.form),
                             401, "invalid_client", mentioning: "missing")
        // The router's own refusals under /iam/ come in the same shape.
        try expectOAuthError(try node.send(path, method: "GET"), 405, "invalid_request", mentioning: "not allowed")
        try expectOAuthError(try node.send("/iam/v3/oauth/revoke"), 404, "invalid_request", mentioning: "Not found")
    }

    @Test func withoutAnyKeyTheEndpointSays503AndWhatToSet() throws {
        let node = try Self.node(clusterSecret: false)
        defer { node.stop() }
        let response = try node.send("/iam/v3/oauth/token", body: "grant_type=client_credentials", headers: basic("analytics:secret"))
        try expectOAuthError(response, 503, "temporarily_unavailable", mentioning: "set iam.signing_key or cluster.secret")
    }
}

/// `text` parsed as a JSON object, for bodies whose values are of mixed types (arrays, numbers, strings).
func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}
