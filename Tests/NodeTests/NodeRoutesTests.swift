import HTTP
import Node
import NodeConfig
import Synchronization
import Testing

/// The node's routes driven in process through its router, as Hummingbird's `.router` test mode does.
@Suite struct NodeRoutesTests {
    /// The router of a node that has not started gossip, so it knows itself alone. The node stays alive as long as
    /// the test holds it: the router reads membership from it.
    private func router(token: String? = "s3cret") throws -> Router {
        var configuration = NodeConfiguration()
        configuration.server.name = "node-a"
        configuration.server.adminToken = token
        let node = try NodeApplication(configuration: configuration)
        Self.nodes.withLock { $0.append(node) }
        return try node.makeRouter()
    }

    private static let nodes = Mutex<[NodeApplication]>([])

    @Test func healthNeedsNoTokenAndNamesTheInstance() async throws {
        let response = try await router().respond(to: HTTPRequest(method: .get, target: "/health"))
        #expect(response.status == .ok)
        #expect(try response.decode([String: String].self) == ["status": "ok", "instance": "node-a"])
    }

    @Test func clusterAcceptsTheHeaderToken() async throws {
        let response = try await router().respond(to: HTTPRequest(method: .get, target: "/api/v1/cluster", headers: ["X-Admin-Token": "s3cret"]))
        #expect(response.status == .ok)
        let instances = try response.decode(ClusterBody.self).instances
        #expect(instances.map(\.name) == ["node-a"])
        #expect(instances.map(\.state) == ["alive"])
    }

    @Test func queryTokenIsCheckedBeforeTheHeader() async throws {
        let router = try router()
        let viaQuery = await router.respond(to: HTTPRequest(method: .get, target: "/api/v1/cluster?token=s3cret"))
        #expect(viaQuery.status == .ok)
        // Jitsu reads the query parameter first: a wrong one fails even with a right header.
        let wrongQuery = await router.respond(to: HTTPRequest(method: .get, target: "/api/v1/cluster?token=nope", headers: ["X-Admin-Token": "s3cret"]))
        #expect(wrongQuery.status == .unauthorized)
    }

    @Test func wrongOrMissingTokenIs401WithJitsuMessage() async throws {
        let router = try router()
        for headers: HTTPHeaders in [[:], ["X-Admin-Token": "wrong"]] {
            let response = await router.respond(to: HTTPRequest(method: .get, target: "/api/v1/cluster", headers: headers))
            #expect(response.status == .unauthorized)
            #expect(response.bodyText == #"{"message":"Admin token does not match"}"#)
        }
    }

    @Test func unconfiguredTokenRefusesAdminCalls() async throws {
        let response = try await router(token: nil).respond(to: HTTPRequest(method: .get, target: "/api/v1/cluster", headers: ["X-Admin-Token": ""]))
        #expect(response.status == .unauthorized)
        #expect(response.bodyText == #"{"message":"admin_token must be configured"}"#)
    }

    @Test func connectorRoutesAnswerErrorsInTheirOwnShape() async throws {
        let response = try await router().respond(to: HTTPRequest(method: .get, target: "/analytics-connector/v1/admin/unknown"))
        #expect(response.status == .notFound)
        let body = try response.decode([String: AnyCodableValue].self)
        #expect(body["errorCode"] == .int(404))
        #expect(body["errorMessage"] != nil)
        #expect(body["message"] == nil)
    }

    @Test func metricsExposeRequestCounters() async throws {
        let router = try router()
        _ = await router.respond(to: HTTPRequest(method: .get, target: "/health"))
        let response = await router.respond(to: HTTPRequest(method: .get, target: "/metrics"))
        #expect(response.status == .ok)
        #expect(response.headers["Content-Type"]?.hasPrefix("text/plain") == true)
        #expect(response.bodyText.contains(#"rivulet_http_requests_total{route="/health",method="GET",status="200"}"#))
        #expect(response.bodyText.contains("rivulet_http_request_duration_seconds_bucket"))
    }
}

/// Just enough JSON to compare values of mixed type.
enum AnyCodableValue: Decodable, Equatable {
    case int(Int)
    case string(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) { self = .int(value) } else { self = .string(try container.decode(String.self)) }
    }
}

struct ClusterBody: Decodable {
    struct Instance: Decodable {
        let name: String
        let state: String
    }
    let instances: [Instance]
}
