import Foundation
import HTTPTypes
import Hummingbird

/// `hummingbird-baseline [PORT [ADMIN_TOKEN]]`, falling back to the `PORT` and `ADMIN_TOKEN` environment variables.
/// `INSTANCES` holds the JSON array of instances to answer with (the benchmark copies rivulet's live view, so both
/// send the same fields). Port 0 binds a free port. Once bound it prints `hummingbird-baseline listening http=127.0.0.1:<port>` on stdout,
/// the same shape as rivulet's line, so the benchmark reads both the same way.
let arguments = CommandLine.arguments.dropFirst()
let environment = ProcessInfo.processInfo.environment
guard let port = Int(arguments.first ?? environment["PORT"] ?? "0"),
      let token = arguments.dropFirst().first ?? environment["ADMIN_TOKEN"]
else {
    FileHandle.standardError.write(Data("usage: hummingbird-baseline [PORT [ADMIN_TOKEN]] (or PORT, ADMIN_TOKEN)\n".utf8))
    exit(2)
}

/// rivulet's `/api/v1/cluster` body: instances with name, state, address, http, incarnation and version.
struct ClusterInfo: ResponseEncodable {
    struct Instance: Codable {
        let name: String
        let state: String
        let address: String
        let http: String
        let incarnation: Int
        let version: String
        let roles: [String]
    }

    let instances: [Instance]
}

guard let instancesJSON = environment["INSTANCES"],
      let instances = try? JSONDecoder().decode([ClusterInfo.Instance].self, from: Data(instancesJSON.utf8))
else {
    FileHandle.standardError.write(Data("hummingbird-baseline: INSTANCES must hold a JSON array of instances\n".utf8))
    exit(2)
}

/// rivulet's 401: `{"message":"Admin token does not match"}` rather than Hummingbird's `{"error":{"message":…}}`, so
/// both servers send the same bytes on a refusal too.
struct AdminTokenRefused: HTTPResponseError {
    var status: HTTPResponse.Status { .unauthorized }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(["message": "Admin token does not match"], from: request, context: context)
        response.status = status
        return response
    }
}

/// rivulet's rule (`Sources/Auth/AdminToken.swift`): the `token` query parameter, else `X-Admin-Token`, compared over
/// every byte, so the baseline does the same work per request as the node it is measured against.
struct AdminToken: Sendable {
    static let header = HTTPField.Name("X-Admin-Token")!
    let expected: [UInt8]

    func accepts(_ request: Request) -> Bool {
        guard let presented = request.uri.queryParameters["token"].map(String.init) ?? request.headers[Self.header]
        else { return false }
        let given = Array(presented.utf8)
        var difference = UInt8(truncatingIfNeeded: given.count ^ expected.count)
        for index in 0..<max(given.count, expected.count) {
            difference |= (index < given.count ? given[index] : 0) ^ (index < expected.count ? expected[index] : 0)
        }
        return difference == 0
    }
}

let admin = AdminToken(expected: Array(token.utf8))
let router = Router()
router.get("/api/v1/cluster") { request, _ -> ClusterInfo in
    guard admin.accepts(request) else { throw AdminTokenRefused() }
    // Built and encoded per request, as a Hummingbird handler over live state would.
    return ClusterInfo(instances: instances)
}

let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
    onServerRunning: { channel in
        let bound = channel.localAddress?.port ?? port
        FileHandle.standardOutput.write(Data("hummingbird-baseline listening http=127.0.0.1:\(bound)\n".utf8))
    }
)
try await app.runService()
