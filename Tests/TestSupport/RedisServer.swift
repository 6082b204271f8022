import Foundation

/// A real `redis-server` (Debian's package) for destination tests, on a free loopback port with persistence off
/// and its directory in a temporary place; optionally with `requirepass`.
public final class RedisServer: @unchecked Sendable {
    public static let executable = "/usr/bin/redis-server"

    /// A server without a password, shared by the tests of one process and started on first use.
    public static let shared = Result { try RedisServer() }
    /// A server with `requirepass secret`, shared likewise.
    public static let protected = Result { try RedisServer(password: "secret") }

    public let port: Int
    public let password: String?
    private let directory: URL
    private var process: ServiceProcess

    /// Starts the server; fails with the package to install when it is missing.
    public init(password: String? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw ServiceError.failed("\(Self.executable) is missing: install the Debian package redis-server (scripts/install-deps.sh test)")
        }
        self.password = password
        port = try ServiceProcess.freePort()
        directory = try ServiceProcess.makeDirectory("redis")
        process = try Self.start(port: port, password: password, directory: directory)
    }

    /// Stops the server at once (SIGKILL, like a crash).
    public func stop() {
        killProcess(listedIn: directory.appendingPathComponent("redis.pid"))
        process.stop()
    }

    /// Starts the server again on the same port (empty: persistence is off).
    public func restart() throws { process = try Self.start(port: port, password: password, directory: directory) }

    /// Runs one command with `redis-cli` and returns its output, for checking what the destination stored.
    public func command(_ arguments: String...) throws -> String {
        var options = ["-h", "127.0.0.1", "-p", String(port)]
        if let password { options += ["-a", password, "--no-auth-warning"] }
        return try ServiceProcess.run("/usr/bin/redis-cli", options + arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func start(port: Int, password: String?, directory: URL) throws -> ServiceProcess {
        var arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.path,
                         "--pidfile", directory.appendingPathComponent("redis.pid").path]
        if let password { arguments += ["--requirepass", password] }
        return try ServiceProcess(name: "redis", executable: executable, arguments: arguments, port: port, directory: directory)
    }
}
