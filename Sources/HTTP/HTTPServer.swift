import Logging
import Loop
import Metrics

/// Answers a parsed request; `Router.respond` in the node, anything in tests.
public typealias Responder = @Sendable (HTTPRequest, SocketAddress?) async -> HTTPResponse

/// The HTTP/1.1 server: a listener, its connections, and one sweep timer enforcing their deadlines.
///
/// Everything runs on the loop thread. Handlers run as tasks on the loop (`Task.immediate` with the loop as task
/// executor), so a handler that never suspends answers inside the read callback without a hop.
public final class HTTPServer: @unchecked Sendable {
    public let loop: EventLoop
    let limits: HTTPLimits
    let responder: Responder
    let logger: Logger
    private var listener: TCPServer?
    private var sweepTimer: LoopTimer?
    private var connections: [ObjectIdentifier: ServerConnection] = [:]
    private var drainCompletion: (() -> Void)?
    private var drainTimer: LoopTimer?
    private let openConnectionsGauge = Gauge(label: "rivulet_http_open_connections")

    public init(loop: EventLoop, limits: HTTPLimits = HTTPLimits(), logger: Logger = Logger(label: "rivulet.http"), responder: @escaping Responder) {
        self.loop = loop
        self.limits = limits
        self.logger = logger
        self.responder = responder
    }

    /// Binds and starts accepting; returns the bound address (with the real port when 0 was asked for).
    @discardableResult
    public func start(on address: SocketAddress) throws(LoopError) -> SocketAddress {
        loop.assertInLoop()
        let listener = try TCPServer(loop: loop)
        do {
            try listener.listen(on: address) { [unowned self] connection in self.accept(connection) }
        } catch {
            listener.close()
            throw error
        }
        self.listener = listener
        let sweepTimer = try LoopTimer(loop: loop)
        sweepTimer.start(after: limits.sweepInterval, repeatEvery: limits.sweepInterval) { [unowned self] in self.sweep() }
        sweepTimer.unref()  // Deadlines alone must not keep a stopping loop alive.
        self.sweepTimer = sweepTimer
        return listener.localAddress ?? address
    }

    /// Connections currently open.
    public var openConnections: Int { connections.count }

    private func accept(_ tcp: TCPConnection) {
        let connection = ServerConnection(tcp: tcp, server: self)
        connections[ObjectIdentifier(connection)] = connection
        openConnectionsGauge.record(connections.count)
        if drainCompletion != nil { connection.closeWhenIdle() }
    }

    func connectionDidClose(_ connection: ServerConnection) {
        connections[ObjectIdentifier(connection)] = nil
        openConnectionsGauge.record(connections.count)
        if connections.isEmpty, drainCompletion != nil { finishDrain() }
    }

    private func sweep() {
        let now = loop.now
        for connection in connections.values { connection.checkDeadline(now: now) }
    }

    /// Graceful stop: stops accepting, closes idle connections, lets requests in flight finish (their responses
    /// carry `Connection: close`), and force-closes whatever is left after `limits.drainTimeout`.
    /// `completion` runs on the loop once no connection is open.
    public func shutdown(completion: @escaping () -> Void) {
        loop.assertInLoop()
        listener?.close()
        listener = nil
        drainCompletion = completion
        for connection in connections.values { connection.closeWhenIdle() }
        if connections.isEmpty { return finishDrain() }
        drainTimer = try? LoopTimer(loop: loop)
        drainTimer?.start(after: limits.drainTimeout.milliseconds) { [unowned self] in
            logger.warning("drain timeout: closing \(connections.count) connection(s) with requests in flight")
            for connection in connections.values { connection.abort() }
        }
    }

    private func finishDrain() {
        sweepTimer?.close()
        drainTimer?.close()
        let completion = drainCompletion
        drainCompletion = nil
        completion?()
    }
}
