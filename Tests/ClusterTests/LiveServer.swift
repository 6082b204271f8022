import HTTP
import Loop
import Synchronization
import TestSupport

/// A live HTTP server on 127.0.0.1 and an ephemeral port, on the harness's loop, for forwarding tests.
final class LiveServer: Sendable {
    let server: HTTPServer
    let port: Int
    var address: String { "127.0.0.1:\(port)" }

    private init(server: HTTPServer, port: Int) {
        self.server = server
        self.port = port
    }

    static func start(on harness: LoopHarness, router: Router) async throws -> LiveServer {
        try await harness.onLoop {
            let server = HTTPServer(loop: harness.loop) { request, remote in await router.respond(to: request, remoteAddress: remote) }
            let port = try server.start(on: SocketAddress(ip: "127.0.0.1", port: 0)).port
            return LiveServer(server: server, port: port)
        }
    }

    /// Drains the server; requests still in flight finish first.
    func stop(on harness: LoopHarness) async throws {
        let server = self.server
        try await harness.onLoop {
            await withCheckedContinuation { continuation in server.shutdown { continuation.resume() } }
        }
    }
}

/// The requests a test server received, in order.
final class Recorder: Sendable {
    private let requests = Mutex<[HTTPRequest]>([])

    func record(_ request: HTTPRequest) { requests.withLock { $0.append(request) } }
    var all: [HTTPRequest] { requests.withLock { $0 } }
}

/// Holds handlers until the test opens it, so a "slow" owner needs no sleep. Loop-bound.
final class Gate: @unchecked Sendable {
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isOpen = false

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        waiters.forEach { $0.resume() }
        waiters = []
    }
}

/// Things that answer nothing, on the loop.
enum DeadEnds {
    /// A port nothing listens on any more: bound, read back, closed.
    static func closedPort(on loop: EventLoop) throws -> Int {
        let probe = try TCPServer(loop: loop)
        try probe.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)) { _ in }
        let port = probe.localAddress!.port
        probe.close()
        return port
    }

    /// A listener that accepts connections and reads requests but never answers. Close the listener and the
    /// connections it returns to end it.
    final class Silent: @unchecked Sendable {
        let listener: TCPServer
        private var connections: [TCPConnection] = []

        init(loop: EventLoop) throws {
            listener = try TCPServer(loop: loop)
            try listener.listen(on: SocketAddress(ip: "127.0.0.1", port: 0)) { [unowned self] connection in
                connections.append(connection)
                connection.startReading { _ in }
            }
        }

        var address: String { "127.0.0.1:\(listener.localAddress!.port)" }

        func close() {
            listener.close()
            connections.forEach { $0.close() }
        }
    }
}
