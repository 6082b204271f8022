import Foundation
import Synchronization

/// A real PostgreSQL server for tests: `initdb` into a temporary directory, then `postgres` in the foreground on a
/// free loopback port through `ServiceProcess`, as user `postgres` when the tests run as root (the Debian package
/// creates that user). The superuser `rivulet` logs in over TCP with a password checked by scram-sha-256, so
/// wrong-password tests meet the real check.
public final class PostgresServer: Sendable {
    public static let user = "rivulet"
    public static let password = "rivulet-test-password"
    /// The database initdb creates; tests separate themselves by schema.
    public static let database = "postgres"

    /// One server for the whole test process, started on first use.
    public static let shared = Task { try await PostgresServer.start() }

    public let port: Int
    public let directory: URL
    private let binaries: String
    private let service: Mutex<ServiceProcess>

    private static let runAs = "postgres"

    private init(port: Int, directory: URL, binaries: String, service: ServiceProcess) {
        self.port = port
        self.directory = directory
        self.binaries = binaries
        self.service = Mutex(service)
    }

    /// A new server of the test's own, for tests that stop and restart it. The blocking set-up runs off the
    /// caller's thread, so the cooperative pool is not held while initdb works.
    public static func start() async throws -> PostgresServer {
        try await blocking {
            let binaries = try binaryDirectory()
            let directory = try ServiceProcess.makeDirectory("postgres", runAs: runAs)
            let passwordFile = directory.appendingPathComponent("password")
            try password.write(to: passwordFile, atomically: true, encoding: .utf8)
            try ServiceProcess.run("\(binaries)/initdb", [
                "-D", directory.appendingPathComponent("data").path, "-U", user, "--pwfile", passwordFile.path,
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C",
            ], runAs: runAs)
            let port = try ServiceProcess.freePort()
            return PostgresServer(port: port, directory: directory, binaries: binaries,
                                  service: try launch(binaries: binaries, directory: directory, port: port))
        }
    }

    /// Starts `postgres` and waits until it accepts sessions: the port opens while the server is still starting
    /// up, and logins fail with `57P03` until `pg_isready` says yes.
    private static func launch(binaries: String, directory: URL, port: Int) throws -> ServiceProcess {
        let service = try ServiceProcess(name: "postgres", executable: "\(binaries)/postgres", arguments: [
            "-D", directory.appendingPathComponent("data").path, "-p", String(port), "-k", directory.path,
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
        ], port: port, directory: directory, runAs: runAs)
        let deadline = Date().addingTimeInterval(60)
        while (try? ServiceProcess.run("\(binaries)/pg_isready", ["-q", "-h", "127.0.0.1", "-p", String(port)])) == nil {
            guard Date() < deadline, service.isRunning else {
                service.stop()
                throw ServiceError.failed("postgres on port \(port) never became ready: \(service.log)")
            }
            usleep(50_000)
        }
        return service
    }

    /// Stops the server with a fast shutdown, which ends every session with `57P01` as an administrator's stop
    /// would (SIGTERM alone waits for clients to leave).
    public func stop() async throws {
        try await Self.blocking { [self] in
            try ServiceProcess.run("\(binaries)/pg_ctl", ["stop", "-m", "fast", "-w", "-D", directory.appendingPathComponent("data").path],
                                   runAs: Self.runAs)
            service.withLock { $0.stop() }
        }
    }

    /// Starts the server again on the same port and data.
    public func restart() async throws {
        try await Self.blocking { [self] in
            let fresh = try Self.launch(binaries: binaries, directory: directory, port: port)
            service.withLock { $0 = fresh }
        }
    }

    /// Runs `sql` with psql over the server's Unix socket (local logins are trusted) and returns its unaligned,
    /// tuples-only output: one line per row, `|` between columns.
    public func psql(_ sql: String) async throws -> String {
        try await Self.blocking { [self] in
            try ServiceProcess.run("\(binaries)/psql", ["-h", directory.path, "-p", String(port), "-U", Self.user, "-d", Self.database,
                                                     "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], runAs: Self.runAs)
        }
    }

    /// What the server logged, for failure messages.
    public var log: String { service.withLock { $0.log } }

    /// The `bin` directory of the newest PostgreSQL under /usr/lib/postgresql.
    private static func binaryDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let newest = versions.compactMap { Int($0) }.sorted().last { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/postgres") }
        guard let newest else {
            throw ServiceError.failed("no PostgreSQL server under \(root): install the Debian package postgresql (scripts/install-deps.sh test)")
        }
        return "\(root)/\(newest)/bin"
    }

    private static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
