import Gossip
import HTTP
import NodeConfig

/// `PUT /api/v1/cluster/partition`, registered only with `cluster.testing.partitions: true`: this node stops
/// sending gossip to, and dialling, the gossip addresses listed (an empty list heals). Set on both sides, it cuts
/// the cluster in two, which is how the tests check that a partition heals.
struct PartitionRoutes: Sendable {
    let admin: AdminAuthentication
    let cluster: ClusterServices

    func register(on router: inout Router) throws(RouterError) {
        try router.put("/api/v1/cluster/partition", handler: admin(partition))
    }

    struct Partition: Codable {
        /// Gossip addresses, `host:port`.
        let unreachable: [String]
    }

    @Sendable func partition(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let partition = try request.decode(Partition.self)
        var addresses: Set<Address> = []
        for text in partition.unreachable {
            guard let parsed = HostPort(text), parsed.port != 0 else {
                throw HTTPError(.badRequest, "'\(text)' is not a gossip address host:port")
            }
            addresses.insert(Address(host: parsed.host, port: parsed.port))
        }
        try cluster.requireShell().unreachable = addresses
        return .json(Partition(unreachable: addresses.map(\.description).sorted()))
    }
}
