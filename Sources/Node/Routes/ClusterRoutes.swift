import HTTP
import Synchronization

/// `GET /api/v1/cluster`: the instances of the cluster in Jitsu's shape `{"instances":[{"name":...}]}`, with extra
/// fields Jitsu clients ignore. Alive and suspect members by default (a suspect one still serves); `?all=true` adds
/// dead and left ones until they are reaped.
///
/// Load balancers and dashboards poll this route, and the view changes only when membership does, so the encoded
/// body is kept per view version and `all` flag.
struct ClusterRoutes: Sendable {
    let admin: AdminAuthentication
    /// The current view and its version; read on the loop thread, where handlers run.
    let view: @Sendable () -> (version: UInt64, instances: () -> [Instance])
    private let encoded = EncodedViews()

    private final class EncodedViews: Sendable {
        let bodies = Mutex<[Bool: (version: UInt64, body: [UInt8])]>([:])
    }

    init(admin: AdminAuthentication, view: @escaping @Sendable () -> (version: UInt64, instances: () -> [Instance])) {
        self.admin = admin
        self.view = view
    }

    func register(on router: inout Router) throws(RouterError) {
        try router.get("/api/v1/cluster", handler: admin(listInstances))
    }

    @Sendable func listInstances(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        let includeGone = try Self.flag(request.query["all"], name: "all")
        let (version, instances) = view()
        let body: [UInt8]
        if let cached = encoded.bodies.withLock({ $0[includeGone] }), cached.version == version {
            body = cached.body
        } else {
            let listed = instances().filter { includeGone || $0.state == "alive" || $0.state == "suspect" }
            body = HTTPResponse.json(ClusterInfo(instances: listed)).body
            encoded.bodies.withLock { $0[includeGone] = (version, body) }
        }
        return HTTPResponse(status: .ok, headers: ["Content-Type": "application/json"], body: body)
    }

    /// A boolean query flag: absent, `true` or `false`; anything else is a 400 naming it.
    static func flag(_ value: String?, name: String) throws(HTTPError) -> Bool {
        switch value?.lowercased() {
        case nil, "false", "0": false
        case "true", "1", "": true
        case let other?: throw HTTPError(.badRequest, "Query parameter '\(name)' must be true or false, not '\(other)'")
        }
    }

    struct ClusterInfo: Codable {
        let instances: [Instance]
    }

    /// One member as the API shows it. `name` is Jitsu's field; the rest are rivulet's.
    struct Instance: Codable, Equatable {
        let name: String
        /// alive, suspect, dead or left.
        let state: String
        /// The gossip address other nodes dial.
        let address: String?
        /// The HTTP address from the member's metadata.
        let http: String?
        let incarnation: UInt32?
        let version: String?
        /// The member's `cluster.roles`.
        let roles: [String]?
    }
}
