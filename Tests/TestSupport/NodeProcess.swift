import Foundation

/// A real `rivulet serve` OS process started from a generated config, for integration tests. It binds port 0 and
/// the test reads the real port from the line the node prints; logs are kept and printed when a test fails.
public final class NodeProcess: @unchecked Sendable {
    public let process = Process()
    public private(set) var httpPort = 0
    /// The bound gossip port (UDP and TCP).
    public private(set) var gossipPort = 0
    public let directory: URL
    private let stdout = Pipe()
    private let stderr = Pipe()
    private let logLock = NSLock()
    private var logText = ""

    /// The built executable next to the test bundle (`.build/<config>/rivulet`).
    public static var executable: URL {
        var url = Bundle.main.bundleURL
        while url.path != "/" {
            let candidate = url.appendingPathComponent("rivulet")
            if FileManager.default.isExecutableFile(atPath: candidate.path), !candidate.hasDirectoryPath { return candidate }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/rivulet")
    }

    /// Starts a node whose config is `yaml` (write `port: 0`); waits for its listening line up to `timeout`.
    public init(yaml: String, timeout: Double = 20) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("node.yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        process.executableURL = Self.executable
        process.arguments = ["serve", "--config", config.path]
        process.currentDirectoryURL = directory
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        PipeLog.follow(stderr.fileHandleForReading) { [weak self] text in self?.logLock.withLock { self?.logText += text } }
        let deadline = Date().addingTimeInterval(timeout)
        var output = ""
        while Date() < deadline, process.isRunning {
            let data = stdout.fileHandleForReading.availableData
            output += String(decoding: data, as: UTF8.self)
            if let range = output.range(of: #"listening http=127\.0\.0\.1:\d+ gossip=127\.0\.0\.1:\d+"#, options: .regularExpression) {
                let ports = output[range].split(separator: " ").dropFirst().map { Int($0.split(separator: ":").last!)! }
                httpPort = ports[ports.startIndex]
                gossipPort = ports[ports.startIndex + 1]
                return
            }
        }
        let exited = !process.isRunning
        terminate()
        usleep(100_000)  // Let the log reader take what the process wrote last.
        throw NodeProcessError.didNotStart(log: "\(exited ? "exited with \(process.terminationStatus)" : "timed out")\n\(log)")
    }

    /// `GET path` on the node's HTTP port with the admin token `token`, as (status, body).
    public func get(_ path: String, token: String? = nil) throws -> RawResponse {
        try request("GET", path, token: token)
    }

    /// One request on a new connection to the node's HTTP port.
    public func request(_ method: String, _ path: String, body: String = "", token: String? = nil, headers: [String: String] = [:], timeout: Double = 5) throws -> RawResponse {
        let connection = try RawConnection(port: httpPort, timeout: timeout)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        if let token { head += "X-Admin-Token: \(token)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        try connection.send(head + "\r\n" + body)
        return try connection.readResponse()
    }

    /// What the node logged so far.
    public var log: String { logLock.withLock { logText } }

    /// The process id, for reading /proc.
    public var pid: Int32 { process.processIdentifier }

    /// Sends a signal (`SIGTERM`, `SIGKILL`).
    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit, up to `timeout` seconds; returns its status or nil.
    public func waitForExit(timeout: Double = 15) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Kills the process if still running and removes its directory.
    public func terminate() {
        if process.isRunning {
            signal(SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { terminate() }
}

public enum NodeProcessError: Error, CustomStringConvertible {
    case didNotStart(log: String)

    public var description: String {
        switch self {
        case .didNotStart(let log): "node did not report its port; log:\n\(log)"
        }
    }
}
