import Auth
import Cluster
import Connectors
import Foundation
import Gossip
import HTTP
import Logging
import Loop
import NodeConfig
import Pipeline
import Replication
import SourceSync
import Templates

/// A node: one loop, its HTTP server and routes, signal handling and graceful drain. Both the executable and the
/// integration tests build nodes through this type.
public final class NodeApplication: @unchecked Sendable {
    public let configuration: NodeConfiguration
    public let loop: EventLoop
    private let logger: Logger
    private var server: HTTPServer?
    private var gossip: GossipShell? { cluster.shell }
    private let cluster: ClusterServices
    private var store: StateStore?
    private var client: HTTPClient?
    private var signals: [SignalWatcher] = []
    private var lagProbe: LoopLagProbe?
    private var stopping = false
    /// Compiled templates are cached here, so the node keeps one evaluator for every request.
    private let evaluator = TemplateEvaluator(javascript: LazyJavaScriptEngine())
    /// The data plane; its destinations and keys are read from the configuration in `init`, so a bad entry stops
    /// the node before it listens.
    private let pipeline: PipelineServices
    private let destinations: [DestinationConfig]
    /// `sources:`, read in `init` like the destinations.
    private let sources: SourceServices
    /// Topic logs and connector tasks, started with the pipeline.
    private let connectors = ConnectorServices()
    /// `iam:`: issues the OAuth2 tokens that the analytics-connector routes check.
    private let tokens: TokenIssuer
    /// Set when the node must exit 1: it could not start, or another live node holds its name.
    private var failed = false

    public init(configuration: NodeConfiguration) throws {
        self.configuration = configuration
        loop = try EventLoop()
        var logger = Logger(label: "rivulet.node")
        logger[metadataKey: "instance"] = "\(configuration.server.name)"
        self.logger = logger
        cluster = ClusterServices(name: configuration.server.name, secrets: configuration.cluster.secrets)
        destinations = try DestinationConfig.all(in: configuration.destinations)
        pipeline = PipelineServices(
            apiKeys: try APIKeys(config: configuration.apiKeys, destinationIDs: Set(destinations.map(\.id))),
            intake: EventIntake(maxEventSize: configuration.server.maxEventSize, trustProxy: configuration.server.trustProxy))
        sources = SourceServices(configs: try SourceConfig.all(in: configuration.sources, destinationIDs: Set(destinations.map(\.id))))
        let iam = try IAMSettings(config: configuration.iam, clusterSecrets: configuration.cluster.secrets)
        if !iam.clients.isEmpty && iam.signingKeys.isEmpty {
            logger.warning("iam.clients are configured but neither iam.signing_key nor cluster.secret is set: no token can be issued")
        }
        tokens = TokenIssuer(settings: iam)
    }

    /// The id lane: configured, or derived from the name.
    private var lane: UInt16 { configuration.cluster.idLane ?? IdAllocator.defaultLane(for: configuration.server.name) }

    /// The router with every route of the node; tests drive it without sockets.
    public func makeRouter() throws(RouterError) -> Router {
        let server = configuration.server
        let admin = AdminAuthentication(token: AdminToken(server.adminToken))
        var router = Router(logger: Logger(label: "rivulet.http"), renderError: ErrorMapping.render)
        try HealthRoutes(instanceName: server.name).register(on: &router)
        try ClusterRoutes(admin: admin, view: { [weak self] in
            // Version 0 is the view before gossip starts; once it has, the shell's versions count from 1.
            (self?.gossip.map { $0.version + 1 } ?? 0, { self?.instances() ?? [] })
        }).register(on: &router)
        try TemplateRoutes(admin: admin, evaluator: evaluator, workQueue: WorkQueue(loop: loop)).register(on: &router)
        try StateRoutes(admin: admin, cluster: cluster).register(on: &router)
        try IngestionRoutes(services: pipeline, eventTypeField: configuration.topics.eventTypeField).register(on: &router)
        try IAMRoutes(issuer: tokens).register(on: &router)
        try ConnectorRoutes(bearer: BearerAuthentication(issuer: tokens, admin: AdminToken(server.adminToken)), cluster: cluster,
                            services: connectors, deadline: configuration.cluster.forwardTimeout.milliseconds).register(on: &router)
        try DestinationRoutes(admin: admin, services: pipeline).register(on: &router)
        try SourceRoutes(admin: admin, cluster: cluster, sources: sources).register(on: &router)
        try FallbackRoutes(admin: admin, cluster: cluster, services: pipeline,
                           deadline: configuration.cluster.forwardTimeout.milliseconds).register(on: &router)
        try NodeRoutes(admin: admin, cluster: cluster, roles: configuration.cluster.roles,
                       deadline: configuration.cluster.forwardTimeout.milliseconds).register(on: &router)
        if configuration.cluster.partitionAPI {
            try PartitionRoutes(admin: admin, cluster: cluster).register(on: &router)
        }
        if configuration.metrics.enabled {
            try MetricsRoutes(path: configuration.metrics.path, registry: MetricsBootstrap.registry).register(on: &router)
        }
        return router
    }

    /// The members as `/api/v1/cluster` shows them; before gossip has started, this node alone.
    private func instances() -> [ClusterRoutes.Instance] {
        guard let gossip else {
            return [ClusterRoutes.Instance(name: configuration.server.name, state: "alive", address: nil, http: nil, incarnation: nil, version: RivuletVersion.current, roles: configuration.cluster.roles)]
        }
        let metadata = gossip.metadata
        return gossip.members.map { member in
            let metadata = metadata[member.name]
            return ClusterRoutes.Instance(name: member.name, state: "\(member.status)", address: "\(member.address)", http: metadata?.http, incarnation: member.incarnation, version: metadata?.version, roles: metadata?.roles)
        }
    }

    /// Where the node listens, once it does.
    public struct Listening: Sendable {
        public let http: SocketAddress
        public let gossip: SocketAddress
    }

    /// Runs the node on the calling thread until SIGTERM or SIGINT has drained it. `onListening` gets the bound
    /// addresses (the real ports when the config says 0). Returns the process exit status.
    public func run(onListening: @escaping @Sendable (Listening) -> Void = { _ in }) -> Int32 {
        Self.unblockStopSignals()
        let startup = Task(executorPreference: loop) { () throws -> Void in
            try await self.start(onListening: onListening)
        }
        Task(executorPreference: loop) {
            if case .failure(let error) = await startup.result {
                self.logger.critical("cannot start: \(error)")
                self.failed = true
                self.loop.stop()
            }
        }
        let leaked = loop.run()
        if leaked != 0 { logger.warning("loop closed with handles still open (\(LoopError(code: leaked, operation: "uv_loop_close")))") }
        return failed ? 1 : 0
    }

    private func start(onListening: (Listening) -> Void) async throws {
        let settings = configuration.server
        let router = try makeRouter()
        let server = HTTPServer(loop: loop, limits: settings.http, logger: Logger(label: "rivulet.http")) { request, remote in
            await router.respond(to: request, remoteAddress: remote)
        }
        let address = try server.start(on: SocketAddress(ip: settings.host, port: settings.port))
        self.server = server
        let gossip = try startGossip(httpAddress: address)
        cluster.shell = gossip
        lagProbe = try LoopLagProbe(loop: loop)
        // Before the map loads, so a stop during a slow load still leaves the cluster and drains.
        for signal in [SIGTERM, SIGINT] {
            let watcher = try SignalWatcher(loop: loop)
            try watcher.start(signal: signal) { [unowned self] number in self.shutdown(reason: "signal \(number)") }
            signals.append(watcher)
        }
        try await startClusterServices(gossip: gossip)
        try await startPipeline()
        if stopping { cluster.state?.close() }  // A signal arrived while the map was loading.
        let gossipAddress = gossip.localAddress ?? address
        logger.info("listening", metadata: ["http": "\(address)", "gossip": "\(gossipAddress)", "version": "\(RivuletVersion.current)"])
        onListening(Listening(http: address, gossip: gossipAddress))
    }

    private func startGossip(httpAddress: SocketAddress) throws -> GossipShell {
        let cluster = configuration.cluster
        let advertise = cluster.advertise.map { Address(host: $0.host, port: $0.port) }
        // Other nodes dial the HTTP port on the host they reach us at when we listen on every interface.
        let wildcard = httpAddress.host == "0.0.0.0" || httpAddress.host == "::"
        let httpHost = wildcard ? (advertise?.host ?? cluster.bind.host) : httpAddress.host
        let shell = try GossipShell.start(
            loop: loop,
            configuration: GossipShell.Configuration(
                name: configuration.server.name,
                bind: SocketAddress(ip: cluster.bind.host, port: Int(cluster.bind.port)),
                advertise: advertise,
                seeds: cluster.seeds.map { Address(host: $0.host, port: $0.port) },
                settings: cluster.gossip,
                keyring: Keyring(base64Keys: cluster.secrets, clusterName: cluster.name),
                metadata: NodeMetadata(http: HostPort(host: httpHost, port: UInt16(httpAddress.port)).description, version: RivuletVersion.current, roles: cluster.roles, lane: lane)),
            logger: Logger(label: "rivulet.gossip"))
        shell.onFatal = { [unowned self] reason in
            logger.critical("stopping: \(reason)")
            failed = true
            shutdown(reason: reason)
        }
        return shell
    }

    /// Sets up ownership and forwarding, then loads the replicated map from `data_dir`.
    private func startClusterServices(gossip: GossipShell) async throws {
        let settings = configuration.cluster
        cluster.ownership = Ownership(shell: gossip)
        let client = HTTPClient(loop: loop)
        self.client = client
        cluster.forwarder = Forwarder(client: client, localName: configuration.server.name, signature: cluster.signature,
                                      timeout: settings.forwardTimeout.milliseconds, logger: Logger(label: "rivulet.forward"))
        let store = try await StateStore.open(path: "\(configuration.server.dataDirectory)/state.sqlite", loop: loop)
        self.store = store
        cluster.state = try await ReplicatedState.start(
            shell: gossip, store: store, name: configuration.server.name,
            settings: ReplicatedState.Settings(tombstoneTTL: settings.tombstoneTTL, syncInterval: settings.gossip.pushPullInterval, lane: lane),
            logger: Logger(label: "rivulet.state"))
    }

    /// Opens the incoming log and starts delivery; events acknowledged before a crash are delivered from here.
    private func startPipeline() async throws {
        let context = DestinationContext(loop: loop, http: client!, templates: evaluator,
                                         dataDirectory: configuration.server.dataDirectory, logger: Logger(label: "rivulet.pipeline"))
        pipeline.context = context
        pipeline.pipeline = try await EventPipeline.start(
            settings: EventPipeline.Settings(
                nodeName: configuration.server.name, dataDirectory: configuration.server.dataDirectory,
                destinations: destinations, apiKeys: pipeline.apiKeys,
                fallbackRotation: configuration.fallback.rotation, intake: pipeline.intake),
            context: context)
        pipeline.replay = ReplayService(pipeline: pipeline.pipeline!, allowedDirectories: configuration.server.replayAllowedDirs)
        pipeline.catalog = FallbackCatalog(directory: pipeline.pipeline!.fallbackDirectory, instance: configuration.server.name, loop: loop)
        try startSources()
        try await startConnectors(context: context)
    }

    /// Opens the topic logs, starts copying events into them, and runs this node's task of every active connector.
    private func startConnectors(context: DestinationContext) async throws {
        guard let events = pipeline.pipeline, let state = cluster.state, let store else { return }
        let settings = configuration.topics
        let topics = try await TopicStore.open(directory: "\(configuration.server.dataDirectory)/topics", settings: settings,
                                               loop: loop, logger: Logger(label: "rivulet.topics"))
        connectors.topics = topics
        if settings.enabled {
            let router = try TopicRouter(pipeline: events, store: topics, logger: Logger(label: "rivulet.topics"))
            connectors.router = router
            router.start()
        }
        let runtime = ConnectorRuntime(node: configuration.server.name, state: state, store: topics,
                                       offsets: try await ConnectorOffsets.load(from: store), context: context,
                                       logger: Logger(label: "rivulet.connectors"))
        connectors.runtime = runtime
        runtime.start()
    }

    /// Schedules the sources this node owns, now and whenever ownership moves here.
    private func startSources() throws {
        guard !sources.configs.isEmpty, let ownership = cluster.ownership, let state = cluster.state, let events = pipeline.pipeline else { return }
        let loop = self.loop
        let scheduler = try SourceScheduler(
            sources: Array(sources.configs.values), nodeName: configuration.server.name, pipeline: events, state: state,
            owner: { key in ownership.owner(of: key, role: SourceScheduler.role) },
            makeDriver: { source in SourceDrivers.make(source, loop: loop) }, logger: Logger(label: "rivulet.sources"))
        sources.scheduler = scheduler
        scheduler.start()
    }

    /// Stops the node as SIGTERM does; safe from any thread. For embedding the node, as in-process tests do.
    public func stop() {
        Task(executorPreference: loop) { self.shutdown(reason: "stop requested") }
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

    /// Leaves the cluster (so others see `left` at once rather than detecting a failure), stops accepting, lets
    /// requests in flight finish within `server.http.drain_timeout`, then stops the loop.
    private func shutdown(reason: String) {
        guard !stopping else { return }
        stopping = true
        logger.info("\(reason): leaving the cluster and draining")
        let drain: () -> Void = { [self] in
            server?.shutdown { [self] in
                Task.immediate(executorPreference: loop) { [self] in
                    // Syncs and runners first: their destinations use the client. Undelivered events stay in the log.
                    await sources.scheduler?.stop()
                    await connectors.close()
                    await pipeline.pipeline?.close()
                    client?.shutdown()
                    do {
                        try await store?.closeAndWait()
                    } catch {
                        logger.error("closing the state database: \(error)")
                    }
                    logger.info("stopped")
                    signals.forEach { $0.close() }
                    lagProbe?.close()
                    loop.stop()
                }
            }
        }
        // The map stops syncing first: its sessions dial through the shell, which closes when the leave is out.
        cluster.state?.close()
        if let gossip { gossip.leave(completion: drain) } else { drain() }
    }
}

/// The version reported by `rivulet version`, `/api/v1/cluster` and the logs.
public enum RivuletVersion {
    public static let current = "0.1.0"
}
