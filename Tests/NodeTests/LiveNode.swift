import Foundation
import Loop
import Node
import NodeConfig
import Synchronization
import TestSupport

/// A whole node running in this process on its own thread, bound to loopback port 0, for routes that need the
/// loop (work queue, gossip) — Hummingbird's `.live` test mode.
final class LiveNode: Sendable {
    let node: NodeApplication
    let port: Int
    /// The node's data directory, removed when it stops.
    let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-live-\(UUID().uuidString)")
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameter configure: changes to the test configuration (destinations, keys), made before the node starts.
    init(name: String = "live", token: String = "s3cret", configure: (inout NodeConfiguration) -> Void = { _ in }) throws {
        var configuration = NodeConfiguration()
        configuration.server.name = name
        configuration.server.port = 0
        configuration.server.adminToken = token
        configuration.server.dataDir = dataDirectory.path
        configuration.cluster.bind = HostPort(host: "127.0.0.1", port: 0)
        configure(&configuration)
        node = try NodeApplication(configuration: configuration)
        let bound = DispatchSemaphore(value: 0)
        let port = Mutex(0)
        let node = self.node
        let finished = self.finished
        Thread {
            _ = node.run { listening in
                port.withLock { $0 = listening.http.port }
                bound.signal()
            }
            finished.signal()
        }.start()
        guard bound.wait(timeout: .now() + 10) == .success else { throw LiveNodeError.didNotStart }
        self.port = port.withLock { $0 }
    }

    /// Sends one request over a fresh TCP connection and reads the response.
    func send(_ target: String, method: String = "POST", body: String = "", headers: [String: String] = [:]) throws -> RawResponse {
        let connection = try RawConnection(port: port)
        var head = "\(method) \(target) HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        try connection.send(head + "\r\n" + body)
        return try connection.readResponse()
    }

    /// Stops the node and waits until its loop has ended.
    func stop() {
        node.stop()
        _ = finished.wait(timeout: .now() + 10)
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    enum LiveNodeError: Error { case didNotStart }
}
