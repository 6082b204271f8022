import Cluster
import HTTP
import SourceSync

/// `POST /api/v1/sources/clear_cache`, `GET /api/v1/sources/{id}/status`, `POST /api/v1/sources/{id}/sync`: a
/// source's syncs run on its owner (rendezvous hashing over live members), so calls that act on them are forwarded
/// there; its state is a replicated record, so the status is answered by any node.
struct SourceRoutes: Sendable {
    let admin: AdminAuthentication
    let cluster: ClusterServices
    let sources: SourceServices

    func register(on router: inout Router) throws(RouterError) {
        try router.post("/api/v1/sources/clear_cache", handler: admin(clearCache))
        try router.get("/api/v1/sources/{id}/status", handler: admin(status))
        try router.post("/api/v1/sources/{id}/sync", handler: admin(sync))
    }

    struct Target: Decodable {
        let source: String?
        let collection: String?
    }

    struct Cleared: Encodable {
        let status: String
        let instance: String
        let cleared: [String]
    }

    @Sendable func clearCache(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        // Jitsu takes the body; query parameters serve callers that send none.
        let body = request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) ? nil : try request.decode(Target.self)
        let source = try sources.source(body?.source ?? request.query["source"])
        let names = try sources.collections(body?.collection ?? request.query["collection"], of: source)
        if let forwarded = try await forwardToOwner(request, source: source, context: context) { return forwarded }
        try await sources.requireScheduler().clearCache(source: source.id, collections: names)
        return .json(Cleared(status: "ok", instance: cluster.name, cleared: names))
    }

    struct Started: Encodable {
        let status: String
        let instance: String
        let started: [String]
    }

    @Sendable func sync(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let source = try sources.source(try context.parameter("id"))
        let names = try sources.collections(request.query["collection"], of: source)
        if let forwarded = try await forwardToOwner(request, source: source, context: context) { return forwarded }
        let started = try sources.requireScheduler().syncNow(source: source.id, collections: names)
        guard !started.isEmpty else { throw HTTPError(.conflict, "Every collection asked for is syncing already: \(names.joined(separator: ", "))") }
        return .json(Started(status: "started", instance: cluster.name, started: started), status: .accepted)
    }

    /// The owner's answer when another node owns `source`; nil when this node does.
    private func forwardToOwner(_ request: HTTPRequest, source: SourceConfig, context: RequestContext) async throws -> HTTPResponse? {
        let scheduler = try sources.requireScheduler()
        guard let owner = scheduler.ownerOf(source: source.id) else {
            throw HTTPError(.serviceUnavailable, "no live node can own source \(source.id) (none has the pipeline role)")
        }
        guard owner != cluster.name else { return nil }
        if try cluster.isForwarded(request) { throw ForwardGuard.notOwner(owner, of: "source \(source.id)") }
        return try await cluster.forward(request, to: owner, what: "source \(source.id)", requestID: context.requestID)
    }

    struct Status: Encodable {
        let source: String
        let owner: String?
        let destinations: [String]
        let collections: [Collection]
    }

    struct Collection: Encodable {
        let name: String
        let table_name: String
        let schedule: String
        let incremental: Bool
        let generation: Int
        let cursor: String?
        let signature: String?
        let last_run: SyncState.Run?
    }

    @Sendable func status(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let source = try sources.source(try context.parameter("id"))
        let scheduler = try sources.requireScheduler()
        let collections = source.collections.map { collection in
            let state = scheduler.state(of: source.id, collection: collection.name)
            return Collection(name: collection.name, table_name: collection.tableName, schedule: collection.schedule.description,
                              incremental: collection.isIncremental, generation: state.generation, cursor: state.cursor,
                              signature: state.signature, last_run: state.last_run)
        }
        return .json(Status(source: source.id, owner: scheduler.ownerOf(source: source.id), destinations: source.destinations, collections: collections))
    }
}
