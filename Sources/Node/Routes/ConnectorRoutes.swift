import Auth
import Connectors
import Foundation
import HTTP
import Replication
import Templates

/// The analytics connectors' admin API (`/analytics-connector/v1/admin/connectors`, AccelByte's shape): create,
/// list, show, edit, delete, activate and deactivate, each needing its action on `ADMIN:ANALYTICS:CONNECTOR`
/// (bearer token, or the admin token as superuser). Connectors are replicated records, so any node answers and sees
/// every change within a gossip round or two. Errors come as `{"errorCode", "errorMessage"}` (ErrorMapping).
///
/// `GET .../connectors/{id}/status` and `GET /analytics-connector/v1/admin/tools/kafka/topics/{eventType}` gather
/// every live node's part (its task, its topic logs) within `deadline`, naming the nodes that did not answer.
struct ConnectorRoutes: Sendable {
    let bearer: BearerAuthentication
    let cluster: ClusterServices
    let services: ConnectorServices
    /// How long a gathering call waits for the slowest member.
    let deadline: UInt64

    static let resource = "ADMIN:ANALYTICS:CONNECTOR"
    static let base = "/analytics-connector/v1/admin/connectors"

    func register(on router: inout Router) throws(RouterError) {
        try router.post(Self.base, handler: bearer(Self.resource, .create, create))
        try router.get(Self.base, handler: bearer(Self.resource, .read, list))
        try router.get("\(Self.base)/{id}", handler: bearer(Self.resource, .read, show))
        try router.put("\(Self.base)/{id}", handler: bearer(Self.resource, .update, edit))
        try router.delete("\(Self.base)/{id}", handler: bearer(Self.resource, .delete, remove))
        try router.put("\(Self.base)/{id}/activate", handler: bearer(Self.resource, .update) { request, context in
            try await setActive(true, request, context)
        })
        try router.put("\(Self.base)/{id}/deactivate", handler: bearer(Self.resource, .update) { request, context in
            try await setActive(false, request, context)
        })
        try router.get("\(Self.base)/{id}/status", handler: bearer(Self.resource, .read, status))
        try router.get("/analytics-connector/v1/admin/tools/kafka/topics/{eventType}", handler: bearer(Self.resource, .read, topics))
    }

    /// The body's JSON object, or a 400.
    private func fields(of request: HTTPRequest) throws(HTTPError) -> [String: JSONValue] {
        let json: JSONValue
        do {
            json = try JSONValue(parsingBytes: request.body)
        } catch {
            throw HTTPError(.badRequest, "The body is not JSON: \(error)")
        }
        guard case .object(let fields) = json else { throw HTTPError(.badRequest, "The body must be a JSON object") }
        return fields
    }

    private func draft(_ fields: [String: JSONValue]) throws(HTTPError) -> ConnectorDraft {
        do {
            return try ConnectorDraft(json: .object(fields))
        } catch {
            throw Self.httpError(error)
        }
    }

    private static func httpError(_ refusal: ConnectorDraft.Refusal) -> HTTPError {
        HTTPError(refusal.notImplemented ? HTTPStatus(code: 501) : .badRequest, refusal.description)
    }

    private func connectors() throws(HTTPError) -> [Connector] {
        try cluster.requireState().list(prefix: Connector.keyPrefix).compactMap { try? JSONDecoder().decode(Connector.self, from: Data($0.value)) }
    }

    private func connector(_ context: RequestContext) throws(HTTPError) -> Connector {
        let text = try context.parameter("id")
        guard let id = UInt64(text), let record = try cluster.requireState().get(Connector.key(of: id)),
              let connector = try? JSONDecoder().decode(Connector.self, from: Data(record.value)) else {
            throw HTTPError(.notFound, "Connector \(text) not found")
        }
        return connector
    }

    private func store(_ connector: Connector) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        try await cluster.requireState().put(Connector.key(of: connector.id), value: Array(try encoder.encode(connector)))
    }

    @Sendable func create(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let draft = try draft(try fields(of: request))
        guard try !connectors().contains(where: { $0.connectorName == draft.connectorName }) else {
            throw HTTPError(.conflict, "A connector named \(draft.connectorName) exists already")
        }
        let now = RFC3339.now()
        let connector = Connector(id: try await cluster.requireState().allocateID(), connectorName: draft.connectorName, connectorType: "SINK",
                                  storageType: draft.storageType, config: draft.config, filter: draft.filter, active: true,
                                  createdAt: now, updatedAt: now)
        try await store(connector)
        return .json(connector.redacted, status: .created)
    }

    struct Listing: Encodable {
        let data: [Connector]
    }

    @Sendable func list(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        var found = try connectors()
        if let storage = request.query["storageType"] { found = found.filter { $0.storageType.rawValue == storage } }
        if let name = request.query["connectorName"] { found = found.filter { $0.connectorName == name } }
        if let state = request.query["connectorState"] {
            // The states the status route gives: ERROR is an active connector whose task fails on some node.
            guard ["ACTIVE", "INACTIVE", "ERROR"].contains(state) else {
                throw HTTPError(.badRequest, "connectorState must be ACTIVE, INACTIVE or ERROR")
            }
            if state == "INACTIVE" {
                found = found.filter { !$0.active }
            } else {
                let failing = try await failingConnectors(request)
                // A forwarded call is this node's share: the ids of its failing tasks.
                if try cluster.isForwarded(request) { return .json(Failing(ids: failing.sorted())) }
                found = found.filter { $0.active && failing.contains($0.id) == (state == "ERROR") }
            }
        }
        return .json(Listing(data: found.sorted { $0.id < $1.id }.map(\.redacted)))
    }

    /// A node's part of a list filtered by task state.
    struct Failing: Codable {
        let ids: [UInt64]
    }

    /// The connectors whose task fails on this node or, unless `request` is forwarded, on any live node that answers.
    private func failingConnectors(_ request: HTTPRequest) async throws -> Set<UInt64> {
        var failing = try services.requireRuntime().failingConnectors()
        guard try !cluster.isForwarded(request) else { return failing }
        let (parts, _) = try await cluster.gather(request, as: Failing.self, deadline: deadline)
        for part in parts { failing.formUnion(part.ids) }
        return failing
    }

    @Sendable func show(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        .json(try connector(context).redacted)
    }

    @Sendable func edit(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        var connector = try connector(context)
        // The unchangeable fields may be left out of an edit; they are taken from the stored connector.
        var body = try fields(of: request)
        if body["connectorName"] == nil { body["connectorName"] = .string(connector.connectorName) }
        if body["storageType"] == nil { body["storageType"] = .string(connector.storageType.rawValue) }
        if case .object(var config)? = body["config"] {
            if config["eventType"] == nil { config["eventType"] = connector.config["eventType"].map { JSONValue.string($0) } }
            // A secret sent back masked, as the API showed it, stays what it was.
            for key in Connector.secretKeys where config[key] == .string(Connector.mask) {
                config[key] = connector.config[key].map { JSONValue.string($0) }
            }
            body["config"] = .object(config)
        }
        let draft = try draft(body)
        do {
            try draft.checkEdit(of: connector)
        } catch {
            throw Self.httpError(error)
        }
        connector.config = draft.config
        connector.filter = draft.filter
        connector.updatedAt = RFC3339.now()
        try await store(connector)
        return .json(connector.redacted)
    }

    struct Deleted: Encodable {
        let deleted: Bool
        let id: UInt64
    }

    @Sendable func remove(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let connector = try connector(context)
        try await cluster.requireState().delete(Connector.key(of: connector.id))
        return .json(Deleted(deleted: true, id: connector.id))
    }

    struct Activation: Encodable {
        let id: UInt64
        let active: Bool
    }

    private func setActive(_ active: Bool, _ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        var connector = try connector(context)
        if connector.active != active {
            connector.active = active
            connector.updatedAt = RFC3339.now()
            try await store(connector)
        }
        return .json(Activation(id: connector.id, active: active))
    }
}

extension ConnectorRoutes {
    /// AccelByte's status shape, with each node's task and the nodes that did not answer.
    struct Status: Encodable {
        let time: String
        let connector: String
        /// `ACTIVE`, `INACTIVE` or `ERROR`.
        let status: String
        let error: String?
        let tasks: [TaskStatus]
        let partial: [String]?
    }

    /// A node's part of a status call.
    struct LocalTasks: Codable {
        let tasks: [TaskStatus]
    }

    /// ACTIVE while every task that answered runs; ERROR naming the node and reason of each failing one;
    /// INACTIVE when deactivated (its tasks are stopped, whatever they last reported).
    @Sendable func status(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let connector = try connector(context)
        var tasks = try services.requireRuntime().status(of: connector.id).map { [$0] } ?? []
        if try cluster.isForwarded(request) { return .json(LocalTasks(tasks: tasks)) }
        let (parts, partial) = try await cluster.gather(request, as: LocalTasks.self, deadline: deadline)
        tasks += parts.flatMap(\.tasks)
        tasks.sort { $0.node < $1.node }
        let failing = tasks.filter { $0.state == .failed }
        let state = !connector.active ? "INACTIVE" : failing.isEmpty ? "ACTIVE" : "ERROR"
        let error = state == "ERROR" ? failing.map { "\($0.node): \($0.error ?? "failed")" }.joined(separator: "; ") : nil
        return .json(Status(time: ISO8601DateFormatter().string(from: Date()), connector: connector.connectorName, status: state, error: error,
                            tasks: tasks, partial: partial.isEmpty ? nil : partial))
    }

    /// `{"<namespace>": ["<topic>", ...]}` of one event type, merged from every live node's topic logs; members
    /// that did not answer are named in `X-Rivulet-Partial` (the body is AccelByte's bare map).
    @Sendable func topics(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let text = try context.parameter("eventType")
        guard let eventType = ConnectorDraft.eventTypes[text] else {
            throw HTTPError(.badRequest, "Unknown event type '\(text)': use justice_event or game_telemetry")
        }
        var namespaces: [String: Set<String>] = [:]
        for name in try services.requireTopics().topics where name.eventType == eventType {
            namespaces[name.namespace, default: []].insert(name.topic)
        }
        if try cluster.isForwarded(request) { return .json(namespaces.mapValues { $0.sorted() }) }
        let (parts, partial) = try await cluster.gather(request, as: [String: [String]].self, deadline: deadline)
        for part in parts {
            for (namespace, topics) in part { namespaces[namespace, default: []].formUnion(topics) }
        }
        var headers = HTTPHeaders()
        if !partial.isEmpty { headers.set("X-Rivulet-Partial", partial.joined(separator: ",")) }
        return .json(namespaces.mapValues { $0.sorted() }, headers: headers)
    }
}
