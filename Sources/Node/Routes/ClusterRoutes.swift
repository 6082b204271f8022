import HTTP

/// `GET /api/v1/cluster`: the instances of the cluster in Jitsu's shape. Until gossip membership exists it is this
/// node alone, which is also what Jitsu answers without a synchronization service.
struct ClusterRoutes: Sendable {
    let instanceName: String
    let admin: AdminAuthentication

    func register(on router: inout Router) throws(RouterError) {
        try router.get("/api/v1/cluster", handler: admin(listInstances))
    }

    @Sendable func listInstances(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        .json(ClusterInfo(instances: [Instance(name: instanceName)]))
    }

    struct ClusterInfo: Codable {
        let instances: [Instance]
    }

    struct Instance: Codable {
        let name: String
    }
}
