import HTTP
import Pipeline
import Templates

/// Jitsu's event API: `POST /api/v1/event` and `/api/v1/events` for browsers (client or server secret),
/// `POST /api/v1/s2s/event` and `/api/v1/events/bulk` (JSON lines) for servers (server secret only), and
/// `GET /ping`. A 200 means every event of the request is in the node's incoming log on disk; any error means none
/// of them is.
struct IngestionRoutes: Sendable {
    let services: PipelineServices

    func register(on router: inout Router) throws(RouterError) {
        try router.post("/api/v1/event") { request, context in try await ingest(request, context, serverOnly: false, jsonLines: false) }
        try router.post("/api/v1/events") { request, context in try await ingest(request, context, serverOnly: false, jsonLines: false) }
        try router.post("/api/v1/s2s/event") { request, context in try await ingest(request, context, serverOnly: true, jsonLines: false) }
        try router.post("/api/v1/events/bulk") { request, context in try await ingest(request, context, serverOnly: true, jsonLines: true) }
        try router.get("/ping") { _, _ in .text("pong") }
    }

    private func ingest(_ request: HTTPRequest, _ context: RequestContext, serverOnly: Bool, jsonLines: Bool) async throws -> HTTPResponse {
        let token = TokenSource.token(in: request) ?? ""
        guard let (key, kind) = services.apiKeys.lookup(token) else {
            throw HTTPError(.unauthorized, "The token is not found: \(token)")
        }
        if serverOnly, kind != .server {
            throw HTTPError(.unauthorized, "The token is not a server secret: this route takes a server_secret")
        }
        if kind == .client, !key.allows(origin: request.headers["Origin"]) {
            throw HTTPError(.unauthorized, "The origin \(request.headers["Origin"] ?? "") is not allowed for this token")
        }
        let intake = services.intake
        let origin = EventIntake.Origin(apiKeyID: key.id, sourceIP: intake.sourceIP(of: request, peer: context.remoteAddress?.host),
                                        userAgent: request.headers["User-Agent"])
        let records = try intake.records(in: request.body, jsonLines: jsonLines, origin: origin, now: RFC3339.now())
        try await services.requirePipeline().accept(records: records)
        return Self.accepted
    }

    /// Jitsu's success reply, encoded once: every accepted request answers it.
    static let accepted = HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: Array(#"{"status":"ok"}"#.utf8))
}
