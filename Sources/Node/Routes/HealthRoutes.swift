import HTTP

/// `GET /health`: liveness for load balancers and tests; no token, because balancers have none.
struct HealthRoutes: Sendable {
    let instanceName: String

    func register(on router: inout Router) throws(RouterError) {
        try router.get("/health", handler: checkHealth)
    }

    @Sendable func checkHealth(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        .json(Health(status: "ok", instance: instanceName))
    }

    struct Health: Codable {
        let status: String
        let instance: String
    }
}
