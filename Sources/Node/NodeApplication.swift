import Auth
import Foundation
import HTTP
import Logging
import Loop
import NodeConfig

/// A node: one loop, its HTTP server and routes, signal handling and graceful drain. Both the executable and the
/// integration tests build nodes through this type.
public final class NodeApplication: @unchecked Sendable {
    public let configuration: NodeConfiguration
    public let loop: EventLoop
    private let logger: Logger
    private var server: HTTPServer?
    private var signals: [SignalWatcher] = []
    private var lagProbe: LoopLagProbe?
    private var stopping = false
    private var startupFailed = false

    public init(configuration: NodeConfiguration) throws {
        self.configuration = configuration
        loop = try EventLoop()
        var logger = Logger(label: "rivulet.node")
        logger[metadataKey: "instance"] = "\(configuration.server.name)"
        self.logger = logger
    }

    /// The router with every route of the node; tests drive it without sockets.
    public func makeRouter() throws(RouterError) -> Router {
        let server = configuration.server
        let admin = AdminAuthentication(token: AdminToken(server.adminToken))
        var router = Router(logger: Logger(label: "rivulet.http"), renderError: ErrorMapping.render)
        try HealthRoutes(instanceName: server.name).register(on: &router)
        try ClusterRoutes(instanceName: server.name, admin: admin).register(on: &router)
        if configuration.metrics.enabled {
            try MetricsRoutes(path: configuration.metrics.path, registry: MetricsBootstrap.registry).register(on: &router)
        }
        return router
    }

    /// Runs the node on the calling thread until SIGTERM or SIGINT has drained it. `onListening` gets the bound
    /// HTTP address (the real port when the config says 0). Returns the process exit status.
    public func run(onListening: @escaping @Sendable (SocketAddress) -> Void = { _ in }) -> Int32 {
        Self.unblockStopSignals()
        let startup = Task(executorPreference: loop) { () throws -> Void in
            try self.start(onListening: onListening)
        }
        Task(executorPreference: loop) {
            if case .failure(let error) = await startup.result {
                self.logger.critical("cannot start: \(error)")
                self.startupFailed = true
                self.loop.stop()
            }
        }
        let leaked = loop.run()
        if leaked != 0 { logger.warning("loop closed with handles still open (\(LoopError(code: leaked, operation: "uv_loop_close")))") }
        return startupFailed ? 1 : 0
    }

    private func start(onListening: (SocketAddress) -> Void) throws {
        let settings = configuration.server
        let router = try makeRouter()
        let server = HTTPServer(loop: loop, limits: settings.http, logger: Logger(label: "rivulet.http")) { request, remote in
            await router.respond(to: request, remoteAddress: remote)
        }
        let address = try server.start(on: SocketAddress(ip: settings.host, port: settings.port))
        self.server = server
        lagProbe = try LoopLagProbe(loop: loop)
        for signal in [SIGTERM, SIGINT] {
            let watcher = try SignalWatcher(loop: loop)
            try watcher.start(signal: signal) { [unowned self] number in self.shutdown(signal: number) }
            signals.append(watcher)
        }
        logger.info("listening", metadata: ["http": "\(address)", "version": "\(RivuletVersion.current)"])
        onListening(address)
    }

    /// A parent may start us with SIGTERM blocked (a blocked mask survives exec, and test runners and some
    /// supervisors block signals in their threads); then libuv's handler would never run and the node could only be
    /// killed. Unblocking here, on the main thread before the loop starts, makes graceful stop work regardless.
    private static func unblockStopSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        _ = pthread_sigmask(SIG_UNBLOCK, &set, nil)  // Fails only for an invalid `how`.
    }

    /// Stops accepting, lets requests in flight finish within `server.http.drain_timeout`, then stops the loop.
    private func shutdown(signal: Int32) {
        guard !stopping else { return }
        stopping = true
        logger.info("signal \(signal): draining")
        server?.shutdown { [self] in
            logger.info("stopped")
            signals.forEach { $0.close() }
            lagProbe?.close()
            loop.stop()
        }
    }
}

/// The version reported by `rivulet version`, `/api/v1/cluster` and the logs.
public enum RivuletVersion {
    public static let current = "0.1.0"
}
