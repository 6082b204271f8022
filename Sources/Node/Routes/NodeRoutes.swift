import Cluster
import Foundation
import Gossip
import HTTP

/// Where things live. `/api/v1/nodes`: each node's own status (version, uptime, roles, its copy of the replicated
/// map), the way Elasticsearch's `_nodes` works; the listing asks every live member in parallel and reports the ones
/// that did not answer in `partial`, and a single node's status is forwarded to that node.
/// `/api/v1/cluster/owners/{key}`: which live node owns a key (a source id, say) among the members carrying a role,
/// as every node computes it by rendezvous hashing — what Cassandra's `nodetool getendpoints` answers.
struct NodeRoutes: Sendable {
    let admin: AdminAuthentication
    let cluster: ClusterServices
    let roles: [String]
    /// How long a fan-out waits for the slowest member.
    let deadline: UInt64

    func register(on router: inout Router) throws(RouterError) {
        try router.get("/api/v1/nodes", handler: admin(list))
        try router.get("/api/v1/nodes/{name}", handler: admin(show))
        try router.get("/api/v1/cluster/owners/{key}", handler: admin(owner))
    }

    struct Status: Codable {
        let name: String
        let version: String
        let roles: [String]
        let uptime_seconds: Int
        let state: ReplicatedState.Stats?
    }

    struct Listing: Codable {
        var nodes: [Status]
        /// Members that did not answer within the deadline; the listing lacks their entries.
        var partial: [String]
    }

    struct Owner: Encodable {
        let key: String
        let role: String
        let owner: String
        /// The members the owner was picked among, sorted by name.
        let candidates: [String]
    }

    private func localStatus() -> Status {
        Status(name: cluster.name, version: RivuletVersion.current, roles: roles,
               uptime_seconds: Int(Date().timeIntervalSince(cluster.startedAt)), state: cluster.state?.stats)
    }

    @Sendable func list(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        var listing = Listing(nodes: [localStatus()], partial: [])
        // A forwarded listing call is this node's share of someone else's fan-out.
        if try cluster.isForwarded(request) { return .json(listing) }
        let (parts, partial) = try await cluster.gather(request, as: Listing.self, deadline: deadline)
        listing.nodes += parts.flatMap(\.nodes)
        listing.nodes.sort { $0.name < $1.name }
        listing.partial = partial
        return .json(listing)
    }

    @Sendable func show(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let name = try context.parameter("name")
        let forwarded = try cluster.isForwarded(request)
        if name == cluster.name { return .json(localStatus()) }
        if forwarded { throw ForwardGuard.notOwner(name, of: "node status") }
        guard try cluster.requireShell().members.contains(where: { $0.name == name }) else {
            throw HTTPError(.notFound, "No node named '\(name)' in the cluster")
        }
        return try await cluster.forward(request, to: name, what: "node status", requestID: context.requestID)
    }

    @Sendable func owner(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let key = try context.parameter("key")
        let role = request.query["role"] ?? "pipeline"
        let ownership = try cluster.requireOwnership()
        guard let owner = ownership.owner(of: key, role: role) else {
            throw HTTPError(.serviceUnavailable, "no live node has the role '\(role)', so '\(key)' has no owner")
        }
        return .json(Owner(key: key, role: role, owner: owner, candidates: ownership.candidates(role: role)))
    }
}
