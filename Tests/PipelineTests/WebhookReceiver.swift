import HTTP
import Loop
import Synchronization
import TestSupport

/// A webhook receiver on a loopback port of the harness's loop, built on the node's own HTTP server: it records
/// every request, answers 400 to bodies containing `bad`, and 503 to everything while `failing` is set.
final class WebhookReceiver: Sendable {
    let server: HTTPServer
    let port: Int
    private let state: State

    /// What the responder and the test share.
    private final class State: Sendable {
        let requests = Mutex<[HTTPRequest]>([])
        let failing = Mutex(false)

        func respond(to request: HTTPRequest) -> HTTPResponse {
            requests.withLock { $0.append(request) }
            if failing.withLock({ $0 }) { return .text("try later", status: .serviceUnavailable) }
            let body = String(decoding: request.body, as: UTF8.self)
            if body.contains("bad") { return .text("bad event: \(body)", status: .badRequest) }
            return HTTPResponse(status: .noContent)
        }
    }

    init(on harness: DestinationHarness) async throws {
        let state = State()
        let server = HTTPServer(loop: harness.loopHarness.loop) { request, _ in state.respond(to: request) }
        port = try await harness.loopHarness.onLoop { try server.start(on: SocketAddress(ip: "127.0.0.1", port: 0)).port }
        self.server = server
        self.state = state
    }

    /// The requests received so far, in order.
    var requests: [HTTPRequest] { state.requests.withLock { $0 } }

    /// Whether every request is answered 503.
    var failing: Bool {
        get { state.failing.withLock { $0 } }
        set { state.failing.withLock { $0 = newValue } }
    }

    /// Stops listening and closes its connections.
    func stop(on harness: DestinationHarness) async throws {
        let server = server
        try await harness.loopHarness.onLoop {
            await withCheckedContinuation { continuation in server.shutdown { continuation.resume() } }
        }
    }
}
