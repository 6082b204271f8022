import HTTP
import Testing

@Suite struct RouterTests {
    private func router() throws -> Router {
        var router = Router()
        try router.get("/analytics-connector/v1/admin/connectors/{id}/status") { _, context in .text("status \(try context.parameter("id"))") }
        try router.put("/analytics-connector/v1/admin/connectors/{id}") { _, context in .text("put \(try context.parameter("id"))") }
        try router.get("/api/v1/cluster") { request, _ in .text("all=\(request.query["all"] ?? "-")") }
        return router
    }

    @Test func pathParametersAreExtracted() async throws {
        let response = try await router().respond(to: HTTPRequest(method: .get, target: "/analytics-connector/v1/admin/connectors/17/status"))
        #expect(response.bodyText == "status 17")
    }

    @Test func percentEncodedParameterIsDecoded() async throws {
        let response = try await router().respond(to: HTTPRequest(method: .put, target: "/analytics-connector/v1/admin/connectors/a%20b"))
        #expect(response.bodyText == "put a b")
    }

    @Test func queryIsDecoded() async throws {
        let response = try await router().respond(to: HTTPRequest(method: .get, target: "/api/v1/cluster?all=tr%75e&x=1"))
        #expect(response.bodyText == "all=true")
        let query = HTTPRequest(method: .get, target: "/p?a=1+2&b&&a=3&=4").query
        #expect(query["a"] == "1 2" && query["b"] == "" && query[""] == "4" && query["c"] == nil)
        #expect(query.fields.map(\.name) == ["a", "b", "a", ""])
        #expect(HTTPRequest.formFields("a=1&a=2&b=%41") == ["a": "1", "b": "A"])
        // Multi-byte text before and after the `?`, and a trailing `&`.
        let accented = HTTPRequest(method: .get, target: "/caf\u{e9}?x=\u{fc}%C3%BC&")
        #expect(accented.path == "/caf\u{e9}" && accented.queryString == "x=\u{fc}%C3%BC&")
        #expect(accented.query.fields.map(\.name) == ["x"] && accented.query["x"] == "\u{fc}\u{fc}")
    }

    @Test func unknownPathIs404AndKnownPathWithOtherMethodIs405() async throws {
        let router = try router()
        #expect(await router.respond(to: HTTPRequest(method: .get, target: "/api/v1/nothing")).status == .notFound)
        let response = await router.respond(to: HTTPRequest(method: .delete, target: "/api/v1/cluster"))
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers["Allow"] == "GET")
        #expect(response.bodyText.contains("\"message\""))
    }

    @Test func headIsAnsweredByTheGetRoute() async throws {
        let response = try await router().respond(to: HTTPRequest(method: .head, target: "/api/v1/cluster"))
        #expect(response.status == .ok)
        #expect(response.bodyText == "all=-")  // The server announces its length and leaves the bytes out.
    }

    @Test func duplicateRouteIsRefused() throws {
        var router = try router()
        #expect(throws: RouterError.self) { try router.get("/api/v1/cluster") { _, _ in .text("") } }
    }

    @Test func parameterNameClashIsRefused() throws {
        var router = try router()
        #expect(throws: RouterError.self) { try router.delete("/analytics-connector/v1/admin/connectors/{name}") { _, _ in .text("") } }
    }

    @Test func routesAreListedInRegistrationOrder() throws {
        #expect(try router().routes.map { "\($0.method) \($0.path)" } == [
            "GET /analytics-connector/v1/admin/connectors/{id}/status",
            "PUT /analytics-connector/v1/admin/connectors/{id}",
            "GET /api/v1/cluster",
        ])
    }

    @Test func unexpectedErrorsBecome500WithoutDetails() async throws {
        struct Secret: Error {}
        var router = Router()
        try router.get("/boom") { _, _ in throw Secret() }
        let response = await router.respond(to: HTTPRequest(method: .get, target: "/boom"))
        #expect(response.status == .internalServerError)
        #expect(!response.bodyText.contains("Secret"))
    }

    @Test func invalidParameterIs400() async throws {
        var router = Router()
        try router.get("/n/{id}") { _, context in .text("\(try context.parameter("id", as: Int.self))") }
        let response = await router.respond(to: HTTPRequest(method: .get, target: "/n/abc"))
        #expect(response.status == .badRequest)
        #expect(response.bodyText.contains("'id'"))
    }

    @Test func decodingErrorsNameTheKeyPath() {
        struct Body: Decodable {
            struct Inner: Decodable { let count: Int }
            let name: String
            let inner: Inner
        }
        func message(_ json: String) -> String? {
            let request = HTTPRequest(method: .post, target: "/", body: Array(json.utf8))
            if case .failure(let error) = Result(catching: { () throws(HTTPError) in try request.decode(Body.self) }) {
                return error.message
            }
            return nil
        }
        #expect(message(#"{"inner":{"count":1}}"#)?.contains("'name'") == true)
        #expect(message(#"{"name":"a","inner":{"count":"x"}}"#)?.contains("'inner.count' must be an integer") == true)
        #expect(message("{nope") == "Request body is not valid JSON")
        #expect(message("") == "Request body is empty; expected a JSON object")
    }
}
