import ArgumentParser
import Foundation
import HTTP
import Loop
import NodeConfig

/// `rivulet cluster`: the members a node sees, as a table (the same data as `GET /api/v1/cluster`).
struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cluster", abstract: "Show the members of the cluster as a node sees them.")

    @Option(name: .long, help: "Ask the node configured in this YAML file (its host, port and admin token).")
    var config: String?

    @Option(name: .long, help: "Ask the node at this base URL, such as http://127.0.0.1:8001.")
    var url: String?

    @Option(name: .long, help: "Admin token (default: from --config, else RIVULET_ADMIN_TOKEN).")
    var token: String?

    @Flag(name: .long, help: "Include dead and left members.")
    var all = false

    func validate() throws {
        guard (config == nil) != (url == nil) else { throw ValidationError("give exactly one of --config and --url") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var host = "127.0.0.1", port = 8001
        var token = self.token ?? environment[NodeConfiguration.adminTokenVariable]
        if let config {
            let server = try NodeConfiguration.load(path: config, environment: environment).server
            host = server.host == "0.0.0.0" ? "127.0.0.1" : server.host
            port = server.port
            token = token ?? server.adminToken
        } else if let url, let components = URLComponents(string: url), let urlHost = components.host {
            host = urlHost
            port = components.port ?? 80
        } else {
            throw ValidationError("--url must look like http://host:port")
        }
        var headers = HTTPHeaders()
        if let token { headers.set("X-Admin-Token", token) }
        let response = try AdminCall.get(host: host, port: port, target: "/api/v1/cluster\(all ? "?all=true" : "")", headers: headers)
        guard response.status == .ok else {
            throw CommandFailure("\(host):\(port) answered \(response.status): \(response.bodyText)")
        }
        print(Self.table(try response.decode(Cluster.self).instances), terminator: "")
    }

    struct Cluster: Decodable {
        let instances: [Instance]
    }

    struct Instance: Decodable {
        let name: String
        let state: String?
        let address: String?
        let http: String?
        let incarnation: UInt32?
        let version: String?
        let roles: [String]?
    }

    /// Left-aligned columns two spaces apart, like `kubectl get`.
    static func table(_ instances: [Instance]) -> String {
        let rows = [["NAME", "STATE", "GOSSIP", "HTTP", "INCARNATION", "VERSION", "ROLES"]] + instances.map {
            [$0.name, $0.state ?? "-", $0.address ?? "-", $0.http ?? "-", $0.incarnation.map(String.init) ?? "-", $0.version ?? "-",
             $0.roles.map { $0.joined(separator: ",") } ?? "-"]
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }
}

/// A failure to show the user as is, with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One admin request from the command line, made with the node's own HTTP client on a loop of its own.
enum AdminCall {
    static func get(host: String, port: Int, target: String, headers: HTTPHeaders) throws -> HTTPResponse {
        let loop = try EventLoop()
        let outcome = Outcome()
        Task(executorPreference: loop) {
            let client = HTTPClient(loop: loop)
            do {
                outcome.result = .success(try await client.execute(HTTPRequest(method: .get, target: target, headers: headers), host: host, port: port, readTimeout: 10_000))
            } catch {
                outcome.result = .failure(error)
            }
            client.shutdown()
            loop.stop()
        }
        loop.run()
        do {
            return try outcome.result!.get()
        } catch {
            throw CommandFailure("cannot reach \(host):\(port): \(error)")
        }
    }

    /// Written on the loop thread, read after `run()` returned on the same thread.
    private final class Outcome: @unchecked Sendable {
        var result: Result<HTTPResponse, any Error>?
    }
}
