import Cluster
import HTTP
import Pipeline

/// `GET /api/v1/fallback`, `POST /api/v1/replay` and `GET /api/v1/replay/{job}`: the fallback files of the whole
/// cluster from any node, and their replay on the node whose disk holds them (design.md, "Ownership and
/// forwarding"). The owner of a file is the instance its name carries, or the `instance` the listing gave.
struct FallbackRoutes: Sendable {
    let admin: AdminAuthentication
    let cluster: ClusterServices
    let services: PipelineServices
    /// How long the listing waits for the slowest member.
    let deadline: UInt64
    /// A synchronous replay forwarded to its owner may take as long as the file needs; `async` avoids the wait.
    static let replayForwardTimeout: UInt64 = 3_600_000

    func register(on router: inout Router) throws(RouterError) {
        try router.get("/api/v1/fallback", handler: admin(list))
        try router.post("/api/v1/replay", handler: admin(replay))
        try router.get("/api/v1/replay/{job}", handler: admin(job))
    }

    struct Listing: Codable {
        var files: [FallbackCatalog.File]
        /// Members that did not answer within the deadline; absent when every member did.
        var partial: [String]?
    }

    @Sendable func list(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let ids = request.query["destination_ids"].map { text in
            Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        let includeActive = request.query["include_active"] == "true"
        var listing = Listing(files: try await services.requireCatalog().list(destinationIDs: ids, includeActive: includeActive))
        // A forwarded listing call is this node's share of someone else's fan-out.
        if try cluster.isForwarded(request) { return .json(listing) }
        let (parts, partial) = try await cluster.gather(request, as: Listing.self, deadline: deadline)
        listing.files += parts.flatMap(\.files)
        listing.files.sort { ($0.instance, $0.file_name) < ($1.instance, $1.file_name) }
        listing.partial = partial.isEmpty ? nil : partial
        return .json(listing)
    }

    struct ReplayBody: Decodable {
        let file_name: String?
        let destination_id: String?
        let file_format: String?
        let skip_malformed: Bool?
        let force: Bool?
        let async: Bool?
        /// The node holding the file, as the listing shows it; by default the instance in the file name.
        let instance: String?
    }

    /// The synchronous answer.
    struct Replayed: Encodable {
        let status: String
        let instance: String
        let file_name: String
        let destination_id: String
        let replayed: Int
        let skipped_malformed: Int
        let failed_again: Int
        let duration_ms: Int
    }

    @Sendable func replay(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let body = try request.decode(ReplayBody.self)
        guard let fileName = body.file_name, !fileName.isEmpty else { throw HTTPError(.badRequest, "file_name is required") }
        let format = try body.file_format.map { text throws(HTTPError) in
            guard let format = ReplayFormat(rawValue: text) else {
                throw HTTPError(.badRequest, "file_format must be one of \(ReplayFormat.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
            }
            return format
        } ?? .fallback
        let owner = body.instance ?? (fileName.hasPrefix("/") ? nil : FallbackFileName(fileName)?.instance) ?? cluster.name
        if owner != cluster.name {
            if try cluster.isForwarded(request) { throw ForwardGuard.notOwner(owner, of: "fallback file \(fileName)") }
            return try await cluster.forward(request, to: owner, what: "fallback file \(fileName)", requestID: context.requestID,
                                             timeout: body.async == true ? nil : Self.replayForwardTimeout)
        }
        let replays = try services.requireReplay()
        let replayRequest = ReplayService.Request(fileName: fileName, destinationID: body.destination_id, format: format,
                                                  skipMalformed: body.skip_malformed ?? false, force: body.force ?? false)
        do throws(ReplayError) {
            if body.async == true {
                let job = try await replays.start(replayRequest)
                return .json(job, status: .accepted, headers: ["Location": "/api/v1/replay/\(job.job)"])
            }
            let job = try await replays.replay(replayRequest)
            return .json(Replayed(status: "ok", instance: job.instance, file_name: job.file_name, destination_id: job.destination_id,
                                  replayed: job.replayed, skipped_malformed: job.skipped_malformed, failed_again: job.failed_again,
                                  duration_ms: job.duration_ms))
        } catch {
            throw Self.httpError(error)
        }
    }

    @Sendable func job(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let id = try context.parameter("job")
        guard let owner = ReplayService.instance(ofJob: id) else { throw HTTPError(.notFound, "No replay job '\(id)'") }
        if owner != cluster.name {
            if try cluster.isForwarded(request) { throw ForwardGuard.notOwner(owner, of: "replay job \(id)") }
            return try await cluster.forward(request, to: owner, what: "replay job \(id)", requestID: context.requestID)
        }
        guard let job = try services.requireReplay().job(id) else {
            throw HTTPError(.notFound, "No replay job '\(id)' on \(cluster.name) (jobs are kept until the node restarts, the last \(ReplayService.jobsKept))")
        }
        return .json(job)
    }

    /// The status each replay failure answers with: the caller's mistakes are 4xx; a destination that stays
    /// unreachable is 502, as a gateway's upstream would be.
    static func httpError(_ error: ReplayError) -> HTTPError {
        switch error {
        case .refused, .unreadable: HTTPError(.badRequest, error.description)
        case .malformed(let line, _): HTTPError(.badRequest, error.description, fields: ["line": "\(line)"])
        case .notFound: HTTPError(.notFound, error.description)
        case .conflict: HTTPError(.conflict, error.description)
        case .destination: HTTPError(.badGateway, error.description)
        }
    }
}
