import Cluster
import HTTP

/// `GET /api/v1/cluster/owners/{key}`: which live node owns a key (a source id, say) among the members carrying a
/// role, as every node computes it by rendezvous hashing — what Cassandra's `nodetool getendpoints` answers.
struct OwnerRoutes: Sendable {
    let admin: AdminAuthentication
    let cluster: ClusterServices

    func register(on router: inout Router) throws(RouterError) {
        try router.get("/api/v1/cluster/owners/{key}", handler: admin(owner))
    }

    struct Owner: Encodable {
        let key: String
        let role: String
        let owner: String
        /// The members the owner was picked among, sorted by name.
        let candidates: [String]
    }

    @Sendable func owner(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let key = try context.parameter("key")
        let role = request.query["role"] ?? "pipeline"
        guard let ownership = cluster.ownership else { throw HTTPError(.serviceUnavailable, "node \(cluster.name) is still starting") }
        guard let owner = ownership.owner(of: key, role: role) else {
            throw HTTPError(.serviceUnavailable, "no live node has the role '\(role)', so '\(key)' has no owner")
        }
        return .json(Owner(key: key, role: role, owner: owner, candidates: ownership.candidates(role: role)))
    }
}
