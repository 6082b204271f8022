import Foundation

/// A real server (PostgreSQL, Redis, ClickHouse, moto's S3) run by a test as a child process on a loopback port,
/// in a temporary directory, and stopped when the test process exits, whatever the tests did. Servers that refuse
/// to run as root (PostgreSQL) are started as `runAs` when the tests run as root, as CI does.
public final class ServiceProcess: @unchecked Sendable {
    public let name: String
    public let port: Int
    /// A fresh temporary directory for the server's data and configuration, removed at exit.
    public let directory: URL
    private let process = Process()
    private let output = Pipe()
    private let lock = NSLock()
    private var logText = ""

    nonisolated(unsafe) private static var running: [ServiceProcess] = []
    private static let registry = NSLock()
    private static let installExitHook: Void = { atexit { ServiceProcess.stopAll() } }()

    /// A temporary directory for a service about to start (so a setup step such as `initdb` can fill it first);
    /// owned by `runAs` when given and running as root.
    public static func makeDirectory(_ name: String, runAs user: String? = nil) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let user, getuid() == 0 { try run("/bin/chown", [user, directory.path]) }
        return directory
    }

    /// A loopback TCP port that was free a moment ago (the kernel's pick for port 0).
    public static func freePort() throws -> Int {
        try IdleListener(backlog: 0).port
    }

    /// Runs a setup command to completion (`initdb`), as `runAs` when root; throws with its output when it fails.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], runAs user: String? = nil) throws -> String {
        let process = Process()
        let pipe = Pipe()
        (process.executableURL, process.arguments) = command(executable, arguments, runAs: user)
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ServiceError.failed("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(text)")
        }
        return text
    }

    private static func command(_ executable: String, _ arguments: [String], runAs user: String?) -> (URL, [String]) {
        if let user, getuid() == 0 {
            return (URL(fileURLWithPath: "/usr/sbin/runuser"), ["-u", user, "--", executable] + arguments)
        }
        return (URL(fileURLWithPath: executable), arguments)
    }

    /// Starts `executable` and waits up to `timeout` seconds until 127.0.0.1:`port` accepts connections.
    public init(name: String, executable: String, arguments: [String], port: Int, directory: URL,
                runAs user: String? = nil, environment: [String: String]? = nil, timeout: Double = 60) throws {
        _ = Self.installExitHook
        self.name = name
        self.port = port
        self.directory = directory
        (process.executableURL, process.arguments) = Self.command(executable, arguments, runAs: user)
        process.currentDirectoryURL = directory
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        PipeLog.follow(output.fileHandleForReading) { [weak self] text in self?.lock.withLock { self?.logText += text } }
        Self.registry.withLock { Self.running.append(self) }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if Self.accepts(port: port) { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        stop()
        throw ServiceError.failed("\(name) did not start on port \(port): \(log)")
    }

    /// What the server printed so far.
    public var log: String { lock.withLock { logText } }

    public var isRunning: Bool { process.isRunning }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it; the directory stays until exit.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private static func stopAll() {
        let services = registry.withLock { running }
        for service in services {
            service.stop()
            try? FileManager.default.removeItem(at: service.directory)
        }
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

public enum ServiceError: Error, CustomStringConvertible {
    case failed(String)

    public var description: String {
        switch self { case .failed(let reason): reason }
    }
}
