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
        } else if let url {
            let node = try NodeAddress(url: url)
            (host, port) = (node.host, node.port)
        }
        let response = try AdminCall.get(host: host, port: port, target: "/api/v1/cluster\(all ? "?all=true" : "")", headers: AdminCall.headers(token: token))
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

    static func table(_ instances: [Instance]) -> String {
        let rows = [["NAME", "STATE", "GOSSIP", "HTTP", "INCARNATION", "VERSION", "ROLES"]] + instances.map {
            [$0.name, $0.state ?? "-", $0.address ?? "-", $0.http ?? "-", $0.incarnation.map(String.init) ?? "-", $0.version ?? "-",
             $0.roles.map { $0.joined(separator: ",") } ?? "-"]
        }
        return TextTable.render(rows)
    }
}
