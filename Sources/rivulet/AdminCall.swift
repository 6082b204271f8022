import ArgumentParser
import Foundation
import HTTP
import Loop
import NodeConfig

/// A failure to show the user as is, with exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `--url` and `--token` of the commands that call a node's admin API.
struct NodeOptions: ParsableArguments {
    @Option(name: .long, help: "Any node's base URL, such as http://127.0.0.1:8001.")
    var url: String

    @Option(name: .long, help: "Admin token (default: RIVULET_ADMIN_TOKEN); for replay --local, an API key's server secret.")
    var token: String?

    var node: NodeAddress { get throws { try NodeAddress(url: url) } }

    /// `--token`, else the admin token from the environment.
    var adminToken: String? { token ?? ProcessInfo.processInfo.environment[NodeConfiguration.adminTokenVariable] }
}

/// Where a command sends its calls: `--url http://host:port`.
struct NodeAddress {
    let host: String
    let port: Int

    init(url: String) throws {
        guard let components = URLComponents(string: url), let host = components.host, components.scheme == "http" else {
            throw ValidationError("--url must look like http://host:port")
        }
        self.host = host
        port = components.port ?? 80
    }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    var description: String { "\(host):\(port)" }
}

/// Admin requests from the command line, made with the node's own HTTP client on a loop of its own.
enum AdminCall {
    /// Runs `body` with a client on a fresh loop and returns its result once the loop has stopped.
    static func run<T: Sendable>(_ body: @escaping @Sendable (HTTPClient) async throws -> T) throws -> T {
        let loop = try EventLoop()
        let outcome = Outcome<T>()
        Task(executorPreference: loop) {
            let client = HTTPClient(loop: loop)
            do {
                outcome.result = .success(try await body(client))
            } catch {
                outcome.result = .failure(error)
            }
            client.shutdown()
            loop.stop()
        }
        loop.run()
        return try outcome.result!.get()
    }

    /// One request; a failure to reach the node is a `CommandFailure` naming it.
    static func send(_ request: HTTPRequest, to node: NodeAddress, client: HTTPClient, timeout: UInt64 = 10_000) async throws -> HTTPResponse {
        do {
            return try await client.execute(request, host: node.host, port: node.port, readTimeout: timeout)
        } catch {
            throw CommandFailure("cannot reach \(node.description): \(error)")
        }
    }

    static func get(host: String, port: Int, target: String, headers: HTTPHeaders) throws -> HTTPResponse {
        try run { client in
            try await send(HTTPRequest(method: .get, target: target, headers: headers), to: NodeAddress(host: host, port: port), client: client)
        }
    }

    /// Headers carrying the admin token, when there is one.
    static func headers(token: String?) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let token { headers.set("X-Admin-Token", token) }
        return headers
    }

    /// Written on the loop thread, read after `run()` returned on the same thread.
    private final class Outcome<T>: @unchecked Sendable {
        var result: Result<T, any Error>?
    }
}

/// Left-aligned columns two spaces apart, like `kubectl get`.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }
}
