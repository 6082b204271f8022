import Connectors
import HTTP
import Pipeline
import Templates

/// Jitsu's event API: `POST /api/v1/event` and `/api/v1/events` for browsers (client or server secret),
/// `POST /api/v1/s2s/event` and `/api/v1/events/bulk` (JSON lines) for servers (server secret only), and
/// `GET /ping`. A 200 means every event of the request is in the node's incoming log on disk; any error means none
/// of them is.
///
/// Telemetry for the analytics connectors comes the same way with an event type set by the route:
/// `POST /api/v1/telemetry/{eventType}` (`justice_event` or `game_telemetry`) and AccelByte's game telemetry path
/// `POST /game-telemetry/v1/protected/events`; each event gets `topics.event_type_field`, and its
/// `EventNamespace` and `EventName` name its topic.
struct IngestionRoutes: Sendable {
    let services: PipelineServices
    /// `topics.event_type_field`: where the telemetry routes write the event type.
    let eventTypeField: String

    func register(on router: inout Router) throws(RouterError) {
        try router.post("/api/v1/event") { request, context in try await ingest(request, context, serverOnly: false, jsonLines: false) }
        try router.post("/api/v1/events") { request, context in try await ingest(request, context, serverOnly: false, jsonLines: false) }
        try router.post("/api/v1/s2s/event") { request, context in try await ingest(request, context, serverOnly: true, jsonLines: false) }
        try router.post("/api/v1/events/bulk") { request, context in
            if request.query["destination_ids"] != nil { return try await write(request) }
            return try await ingest(request, context, serverOnly: true, jsonLines: true)
        }
        try router.post("/api/v1/telemetry/{eventType}") { request, context in
            let text = try context.parameter("eventType")
            guard let eventType = ConnectorDraft.eventTypes[text] else {
                throw HTTPError(.badRequest, "Unknown event type '\(text)': use justice_event or game_telemetry")
            }
            return try await ingest(request, context, serverOnly: false, jsonLines: false, eventType: eventType)
        }
        try router.post("/game-telemetry/v1/protected/events") { request, context in
            try await ingest(request, context, serverOnly: false, jsonLines: false, eventType: "game_telemetry")
        }
        try router.get("/ping") { _, _ in .text("pong") }
    }

    /// The API key of a server secret, or the 401 Jitsu answers.
    private func serverKey(of request: HTTPRequest) throws(HTTPError) -> APIKey {
        let token = TokenSource.token(in: request) ?? ""
        guard let (key, kind) = services.apiKeys.lookup(token) else {
            throw HTTPError(.unauthorized, "The token is not found: \(token)")
        }
        guard kind == .server else {
            throw HTTPError(.unauthorized, "The token is not a server secret: this route takes a server_secret")
        }
        return key
    }

    struct Written: Encodable {
        let status: String
        let replayed: Int
        let skipped_malformed: Int
        let failed_again: Int
    }

    /// `/api/v1/events/bulk?destination_ids=a,b[&fallback=true][&skip_malformed=true]`: the lines are written to
    /// those destinations now, as a replay writes a file (`rivulet replay --local` sends files this way), and the
    /// answer counts them. Events are taken as they are (a replayed event keeps its enrichment); with
    /// `fallback=true` the lines are fallback lines. A malformed line without `skip_malformed` fails the request
    /// before anything is written.
    private func write(_ request: HTTPRequest) async throws -> HTTPResponse {
        let key = try serverKey(of: request)
        let ids = (request.query["destination_ids"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !ids.isEmpty else { throw HTTPError(.badRequest, "destination_ids names no destination") }
        if let allowed = key.destinations, let refused = ids.first(where: { !allowed.contains($0) }) {
            throw HTTPError(.badRequest, "The key \(key.id) does not send events to destination [\(refused)]")
        }
        let format: ReplayFormat = request.query["fallback"] == "true" ? .fallback : .raw_json
        let replays = try services.requireReplay()
        do throws(ReplayError) {
            let jobs = try await replays.write(request.body, to: ids, format: format, skipMalformed: request.query["skip_malformed"] == "true")
            // Events are counted once per destination written; malformed lines once.
            return .json(Written(status: "ok", replayed: jobs.map(\.replayed).reduce(0, +), skipped_malformed: jobs.first?.skipped_malformed ?? 0,
                                 failed_again: jobs.map(\.failed_again).reduce(0, +)))
        } catch {
            throw FallbackRoutes.httpError(error)
        }
    }

    private func ingest(_ request: HTTPRequest, _ context: RequestContext, serverOnly: Bool, jsonLines: Bool,
                        eventType: String? = nil) async throws -> HTTPResponse {
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
                                        userAgent: request.headers["User-Agent"],
                                        stamps: eventType.map { [(eventTypeField, $0)] } ?? [])
        let (body, now) = (request.body, RFC3339.now())
        try await services.requirePipeline().accept { try intake.records(in: body, jsonLines: jsonLines, origin: origin, now: now) }
        return Self.accepted
    }

    /// Jitsu's success reply, encoded once: every accepted request answers it.
    static let accepted = HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: Array(#"{"status":"ok"}"#.utf8))
}
