import Cluster
import Foundation
import Gossip
import HTTP

/// `/api/v1/nodes`: each node's own status (version, uptime, roles, its copy of the replicated map), the way
/// Elasticsearch's `_nodes` works. The listing asks every live member in parallel and reports the ones that did
/// not answer in `partial`; a single node's status is forwarded to that node.
struct NodeRoutes: Sendable {
    let admin: AdminAuthentication
    let cluster: ClusterServices
    let roles: [String]
    /// How long a fan-out waits for the slowest member.
    let deadline: UInt64

    func register(on router: inout Router) throws(RouterError) {
        try router.get("/api/v1/nodes", handler: admin(list))
        try router.get("/api/v1/nodes/{name}", handler: admin(show))
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

    private func localStatus() -> Status {
        Status(name: cluster.name, version: RivuletVersion.current, roles: roles,
               uptime_seconds: Int(Date().timeIntervalSince(cluster.startedAt)), state: cluster.state?.stats)
    }

    @Sendable func list(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        var listing = Listing(nodes: [localStatus()], partial: [])
        // A forwarded listing call is this node's share of someone else's fan-out.
        if try cluster.isForwarded(request) { return .json(listing) }
        let shell = try cluster.requireShell()
        guard let forwarder = cluster.forwarder else { throw HTTPError(.serviceUnavailable, "node \(cluster.name) is still starting") }
        let members = shell.members.filter { $0.name != cluster.name && !$0.status.isGone }.map { member in
            (name: member.name, address: shell.metadata[member.name]?.http ?? "")
        }
        let (answers, missing) = await forwarder.fanOut(request, to: members, deadline: deadline)
        listing.partial = missing.sorted()
        for (name, answer) in answers {
            guard answer.status == .ok, let part = try? answer.decode(Listing.self) else {
                listing.partial.append(name)
                continue
            }
            listing.nodes += part.nodes
        }
        listing.nodes.sort { $0.name < $1.name }
        listing.partial.sort()
        return .json(listing)
    }

    @Sendable func show(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let name = try context.parameter("name")
        let forwarded = try cluster.isForwarded(request)
        if name == cluster.name { return .json(localStatus()) }
        if forwarded { throw ForwardGuard.notOwner(name, of: "node status") }
        let shell = try cluster.requireShell()
        guard let member = shell.members.first(where: { $0.name == name }) else {
            throw HTTPError(.notFound, "No node named '\(name)' in the cluster")
        }
        guard !member.status.isGone else {
            throw ForwardError.ownerUnreachable(owner: name, what: "node status", reason: "it is \(member.status)")
        }
        guard let address = shell.metadata[name]?.http else {
            throw ForwardError.ownerUnreachable(owner: name, what: "node status", reason: "it publishes no HTTP address")
        }
        guard let forwarder = cluster.forwarder else { throw HTTPError(.serviceUnavailable, "node \(cluster.name) is still starting") }
        return try await forwarder.forward(request, to: name, at: address, what: "node status", requestID: context.requestID)
    }
}
