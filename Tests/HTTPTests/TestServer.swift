import HTTP
import Synchronization
import Loop
import TestSupport

/// A live HTTP server on 127.0.0.1 and an ephemeral port, with a few routes the conformance tests use.
final class TestServer: Sendable {
    let harness: LoopHarness
    let server: HTTPServer
    let port: Int
    /// How many `/slow` handlers have started: tests wait on it to know a request is in flight.
    let slowStarted: StartCounter

    final class StartCounter: Sendable {
        private let count = Atomic<Int>(0)
        func increment() { count.add(1, ordering: .relaxed) }
        var value: Int { count.load(ordering: .relaxed) }
    }

    init(limits: HTTPLimits = HTTPLimits()) async throws {
        let harness = try LoopHarness()
        var router = Router()
        try router.get("/hello") { _, _ in .text("hello") }
        try router.post("/echo") { request, _ in HTTPResponse(status: .ok, body: request.body) }
        try router.get("/header/{name}") { request, context in .text(request.headers[try context.parameter("name")] ?? "-") }
        try router.get("/big/{bytes}") { _, context in
            HTTPResponse(status: .ok, body: [UInt8](repeating: 0x61, count: try context.parameter("bytes", as: Int.self)))
        }
        try router.get("/items/{id}") { _, context in .text("item \(try context.parameter("id", as: Int.self))") }
        let slowStarted = StartCounter()
        self.slowStarted = slowStarted
        try router.get("/slow") { request, _ in
            slowStarted.increment()
            let delay = UInt64(request.query["ms"] ?? "200") ?? 200
            try await Self.sleep(on: harness.loop, milliseconds: delay)
            return .text("slow")
        }
        let frozen = router
        server = try await harness.onLoop {
            HTTPServer(loop: harness.loop, limits: limits) { request, remote in await frozen.respond(to: request, remoteAddress: remote) }
        }
        let server = self.server
        port = try await harness.onLoop { try server.start(on: SocketAddress(ip: "127.0.0.1", port: 0)).port }
        self.harness = harness
    }

    /// Suspends the calling task on a loop timer: handlers must not block the loop.
    static func sleep(on loop: EventLoop, milliseconds: UInt64) async throws {
        let timer = try LoopTimer(loop: loop)
        await withCheckedContinuation { continuation in
            timer.start(after: milliseconds) {
                timer.close()
                continuation.resume()
            }
        }
    }

    var openConnections: Int {
        get async throws { try await harness.onLoop { self.server.openConnections } }
    }

    /// Polls until the server has `count` open connections, for at most `seconds`.
    func waitForOpenConnections(_ count: Int, seconds: Double = 5) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await openConnections == count { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// Polls until `/slow` has started `count` times.
    func waitForSlowRequests(_ count: Int, seconds: Double = 5) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if slowStarted.value >= count { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Drains the server and stops the loop; returns `uv_loop_close`'s result.
    func stop() async throws -> Int32? {
        let server = self.server
        try await harness.onLoop {
            await withCheckedContinuation { continuation in
                server.shutdown { continuation.resume() }
            }
        }
        return await harness.finish()
    }
}
