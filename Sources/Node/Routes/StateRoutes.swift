import Cluster
import HTTP
import Replication
import Templates

/// `/api/v1/state`: the replicated admin map, for operators to inspect (and, like Consul's KV, to write): what the
/// connectors and sources keep in it, on whichever node answers. Keys go in the path percent-encoded
/// (`connector%2F17`).
struct StateRoutes: Sendable {
    let admin: AdminAuthentication
    let cluster: ClusterServices

    func register(on router: inout Router) throws(RouterError) {
        try router.get("/api/v1/state", handler: admin(list))
        try router.get("/api/v1/state/{key}", handler: admin(read))
        try router.put("/api/v1/state/{key}", handler: admin(write))
        try router.delete("/api/v1/state/{key}", handler: admin(remove))
    }

    /// A record as the API shows it: the value is the stored JSON itself.
    struct Entry: Encodable {
        let key: String
        let value: RawJSON?
        /// `<wall ms>.<counter>@<node>`: the hybrid-clock version that wrote it.
        let version: String
        /// The node that wrote it.
        let node: String
        /// When it was written, Unix milliseconds.
        let updated_at: UInt64
        let deleted: Bool?

        init(_ record: Record) {
            key = record.key
            value = record.isTombstone ? nil : RawJSON(record.value)
            version = "\(record.version)"
            node = record.version.node
            updated_at = record.version.timestamp.wallMilliseconds
            deleted = record.isTombstone ? true : nil
        }
    }

    struct Listing: Encodable {
        let records: [Entry]
    }

    @Sendable func list(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let state = try cluster.requireState()
        return .json(Listing(records: state.list(prefix: request.query["prefix"] ?? "").map(Entry.init)))
    }

    @Sendable func read(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let key = try context.parameter("key")
        guard let record = try cluster.requireState().get(key) else { throw HTTPError(.notFound, "No record under key '\(key)'") }
        return .json(Entry(record))
    }

    @Sendable func write(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let key = try context.parameter("key")
        let state = try cluster.requireState()
        guard request.body.count <= Record.maxValueSize else {
            throw HTTPError(.payloadTooLarge, "The value is \(request.body.count) bytes; a record holds at most \(Record.maxValueSize)")
        }
        guard let text = String(validating: request.body, as: UTF8.self) else {
            throw HTTPError(.badRequest, "The body must be a JSON value in UTF-8")
        }
        do {
            _ = try JSONValue(parsing: text)
        } catch {
            throw HTTPError(.badRequest, "The body must be a JSON value: \(error)")
        }
        do {
            return .json(Entry(try await state.put(key, value: request.body)))
        } catch let error as ReplicatedStateError {
            throw HTTPError(.badRequest, "\(error)")
        }
    }

    @Sendable func remove(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let key = try context.parameter("key")
        let state = try cluster.requireState()
        do {
            guard let removed = try await state.delete(key) else { throw HTTPError(.notFound, "No record under key '\(key)'") }
            return .json(Entry(removed))
        } catch let error as ReplicatedStateError {
            throw HTTPError(.badRequest, "\(error)")
        }
    }
}
