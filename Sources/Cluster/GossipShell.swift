import Foundation
import Gossip
import Logging
import Loop

/// The I/O half of membership: binds UDP and TCP on the gossip port, feeds the `Membership` machine what arrives
/// and what time it is, and carries out the directives it returns. It holds no protocol logic of its own
/// (swift-cluster-membership's shell/instance split). Loop-bound.
public final class GossipShell: @unchecked Sendable {
    public let loop: EventLoop
    private var membership: Membership
    private let udp: UDPSocket
    private let listener: TCPServer
    private let tickTimer: LoopTimer
    private let keyring: Keyring?
    private let logger: Logger
    private var metrics = GossipMetrics()
    /// Accepted streams by the peer address given to the machine, so an ack to a stream ping goes back on the
    /// connection the ping came in on.
    private var inbound: [Address: GossipStream] = [:]
    /// Streams this node dialled (fallback pings, state exchanges), so `close()` can end them.
    private var outbound: [ObjectIdentifier: GossipStream] = [:]
    private var resolver: AddressCache
    private var leaving = false
    /// Called when this node must not go on: another live node holds its name and started earlier.
    public var onFatal: ((String) -> Void)?
    /// Called with each application update another member gossiped (the replicated admin map's updates).
    public var onApplicationUpdate: (([UInt8]) -> Void)?
    /// Called when another node opens a replica sync: the stream and its first message; the handler takes the
    /// stream over.
    var onReplicaStream: ((GossipStream, [UInt8]) -> Void)?
    private var membershipObservers: [(MembershipEvent) -> Void] = []
    /// Gossip addresses this node neither sends to nor dials: a partition made on purpose, for tests of what
    /// happens when it heals (`cluster.testing.partitions`). Set on both sides, it cuts every path between them.
    public var unreachable: Set<Address> = []

    /// What `start` needs besides the loop.
    public struct Configuration: Sendable {
        public var name: String
        /// Numeric address to bind UDP and TCP to; port 0 picks one (both protocols get the same port).
        public var bind: SocketAddress
        /// What other nodes dial; nil means the bound address, which must then not be a wildcard.
        public var advertise: Address?
        public var seeds: [Address]
        public var settings: GossipSettings
        public var keyring: Keyring?
        public var metadata: NodeMetadata

        public init(name: String, bind: SocketAddress, advertise: Address?, seeds: [Address], settings: GossipSettings, keyring: Keyring?, metadata: NodeMetadata) {
            self.name = name
            self.bind = bind
            self.advertise = advertise
            self.seeds = seeds
            self.settings = settings
            self.keyring = keyring
            self.metadata = metadata
        }
    }

    /// Binds the gossip port and joins through the seeds. Throws when a socket cannot be bound or the configuration
    /// cannot form a member (wildcard bind without `advertise`).
    public static func start(loop: EventLoop, configuration: Configuration, logger: Logger) throws -> GossipShell {
        // With port 0, UDP picks a port whose TCP twin may be taken; try again with another (memberlist does too).
        var retries = configuration.bind.port == 0 ? 9 : 0
        while true {
            do {
                return try bindAndJoin(loop: loop, configuration: configuration, logger: logger)
            } catch let error as LoopError where error.name == "EADDRINUSE" && retries > 0 {
                retries -= 1
                logger.debug("gossip port taken for TCP, retrying: \(error)")
            }
        }
    }

    private static func bindAndJoin(loop: EventLoop, configuration: Configuration, logger: Logger) throws -> GossipShell {
        let udp = try UDPSocket(loop: loop)
        do {
            try udp.bind(to: configuration.bind)
        } catch {
            udp.close()
            throw error
        }
        let bound = udp.localAddress ?? configuration.bind
        let advertise: Address
        if let configured = configuration.advertise {
            advertise = configured
        } else if bound.host == "0.0.0.0" || bound.host == "::" {
            udp.close()
            throw GossipShellError.advertiseRequired(bound: bound.description)
        } else {
            advertise = Address(host: bound.host, port: UInt16(bound.port))
        }
        // A later start has a greater id, so a restarted node replaces its old self (Membership's identity rule).
        let startID = UInt64(Date().timeIntervalSince1970 * 1_000_000)
        let membership: Membership
        do {
            membership = try Membership(
            name: configuration.name, startID: startID, address: advertise, metadata: configuration.metadata.encoded(),
            settings: configuration.settings, random: GossipRandom(seed: UInt64.random(in: 0...UInt64.max)),
            now: Instant(milliseconds: Int64(loop.now)))
        } catch {
            udp.close()
            throw error
        }
        // TCP takes the port UDP got, so one number names both (memberlist's convention).
        let shell: GossipShell
        do {
            shell = try GossipShell(loop: loop, membership: membership, udp: udp, tcpAddress: bound, keyring: configuration.keyring, logger: logger)
            shell.metadata[configuration.name] = configuration.metadata  // The machine emits no event about itself.
        } catch {
            udp.close()
            throw error
        }
        shell.apply(shell.membership.join(seeds: configuration.seeds, now: shell.now))
        return shell
    }

    private init(loop: EventLoop, membership: Membership, udp: UDPSocket, tcpAddress: SocketAddress, keyring: Keyring?, logger: Logger) throws {
        self.loop = loop
        self.membership = membership
        self.udp = udp
        self.keyring = keyring
        self.logger = logger
        resolver = AddressCache(loop: loop)
        listener = try TCPServer(loop: loop)
        do {
            tickTimer = try LoopTimer(loop: loop)
        } catch {
            listener.close()
            throw error
        }
        do {
            try listener.listen(on: tcpAddress) { [unowned self] tcp in self.accept(tcp) }
            try udp.startReceiving { [unowned self] bytes, sender in self.receiveDatagram(bytes, from: sender) }
        } catch {
            listener.close()
            tickTimer.close()
            throw error
        }
    }

    /// The bound gossip address (UDP and TCP share its port).
    public var localAddress: SocketAddress? { udp.localAddress }

    /// Every member this node knows, itself included, by name.
    public var members: [Member] { membership.members.values.sorted { $0.name < $1.name } }

    /// Each member's decoded metadata by name, kept current from membership events so readers never decode.
    public private(set) var metadata: [String: NodeMetadata] = [:]

    /// Grows with every change of a member's status, incarnation, address or metadata, so readers can cache what
    /// they derive from `members` until it moves.
    public private(set) var version: UInt64 = 0

    private var now: Instant { Instant(milliseconds: Int64(loop.now)) }

    /// The gossip settings in force.
    public var settings: GossipSettings { membership.settings }

    /// Calls `handler` after every membership change, once `members`, `metadata` and `version` show it.
    public func observeMembership(_ handler: @escaping (MembershipEvent) -> Void) {
        membershipObservers.append(handler)
    }

    /// Queues an application update to ride on gossip packets; updates with equal keys replace each other.
    public func broadcast(_ payload: [UInt8], key: String?) throws(GossipError) {
        try membership.broadcast(application: payload, key: key)
    }

    /// How many application updates wait for packets.
    public var applicationBacklog: Int { membership.applicationBacklog }

    /// Dials `address` for a replica sync; nil when it cannot be reached (or is cut off by `unreachable`).
    func openReplicaStream(to address: Address, timeout: UInt64, completion: @escaping (GossipStream?) -> Void) {
        guard !leaving, !unreachable.contains(address) else { return completion(nil) }
        resolver.withAddress(address) { [unowned self] target in
            GossipStream.connect(loop: loop, to: target, keyring: keyring, timeout: timeout) { [unowned self] stream in
                if let stream { track(stream) }
                completion(stream)
            }
        }
    }

    /// Tells the cluster this node is leaving, keeps gossiping for one gossip interval so the news spreads at once
    /// instead of through failure detection, then closes the sockets and calls `completion`.
    public func leave(completion: @escaping () -> Void) {
        guard !leaving else { return }
        leaving = true
        apply(membership.leave(now: now))
        let interval = membership.settings.gossipInterval
        tickTimer.start(after: max(1, interval.milliseconds)) { [self] in
            close()
            completion()
        }
    }

    /// Closes every socket and timer at once, without telling anyone (a crash looks the same to the others).
    public func close() {
        udp.close()
        listener.close()
        tickTimer.close()
        inbound.values.forEach { $0.close() }
        outbound.values.forEach { $0.close() }
        inbound = [:]
        outbound = [:]
    }

    // MARK: Input

    private func receiveDatagram(_ bytes: UnsafeRawBufferPointer, from sender: SocketAddress) {
        metrics.received(bytes: bytes.count)
        guard let frame = open(Array(bytes)) else { return }
        apply(membership.receive(frame, from: Address(host: sender.host, port: UInt16(sender.port)), over: .datagram, now: now))
    }

    private func open(_ bytes: [UInt8]) -> [UInt8]? {
        guard let keyring else { return bytes }
        guard let plaintext = keyring.open(bytes) else {
            metrics.dropped("key")
            return nil
        }
        return plaintext
    }

    private func accept(_ tcp: TCPConnection) {
        guard let remote = tcp.remoteAddress, let stream = try? GossipStream(tcp: tcp, keyring: keyring, timeout: 10_000) else {
            return tcp.close()
        }
        let peer = Address(host: remote.host, port: UInt16(remote.port))
        inbound[peer] = stream
        tcp.onClose { [weak self] in self?.inbound[peer] = nil }
        stream.onRejected = { [unowned self] reason in metrics.dropped("stream"); logger.debug("gossip stream from \(peer): \(reason)") }
        stream.onMessage = { [unowned self, unowned stream] kind, payload in
            switch kind {
            case .gossip:
                apply(membership.receive(payload, from: peer, over: .stream, now: now))
            case .stateRequest:
                apply(membership.mergeRemoteState(payload, from: peer, now: now))
                stream.send(.stateReply, membership.localState(join: false))
            case .stateReply:
                stream.close()  // Only diallers receive replies.
            case .replica:
                guard let onReplicaStream else { return stream.close() }
                onReplicaStream(stream, payload)
            }
        }
    }

    // MARK: Directives

    private func apply(_ directives: [Directive]) {
        for directive in directives {
            switch directive {
            case .send(_, let address, _) where unreachable.contains(address):
                metrics.dropped("partition")
            case .send(let frame, let address, .datagram):
                resolver.withAddress(address) { [unowned self] target in
                    udp.send(keyring?.seal(frame) ?? frame, to: target)
                }
            case .send(let frame, let address, .stream):
                sendOverStream(frame, to: address)
            case .scheduleTick(let delay):
                guard !leaving else { continue }
                tickTimer.start(after: delay.milliseconds) { [unowned self] in apply(membership.tick(now: now)) }
            case .exchangeState(let address, _) where unreachable.contains(address):
                metrics.dropped("partition")
            case .exchangeState(let address, let join):
                exchangeState(with: address, join: join)
            case .emit(let event):
                publish(event)
            case .ignored(let reason):
                metrics.dropped("ignored")
                logger.trace("gossip input ignored: \(reason)")
            }
        }
        metrics.sample(membership)
    }

    /// A reply to a stream ping goes back on its connection; anything else opens one, sends the frame, and
    /// feeds the first answer back to the machine (the TCP fallback ping).
    private func sendOverStream(_ frame: [UInt8], to address: Address) {
        if let stream = inbound[address] { return stream.send(.gossip, frame) }
        let timeout = membership.settings.probeInterval.milliseconds
        resolver.withAddress(address) { [unowned self] target in
            GossipStream.connect(loop: loop, to: target, keyring: keyring, timeout: timeout) { [unowned self] stream in
                guard let stream else { return }
                track(stream)
                stream.onMessage = { [unowned self, unowned stream] kind, payload in
                    if kind == .gossip { apply(membership.receive(payload, from: address, over: .stream, now: now)) }
                    stream.close()
                }
                stream.send(.gossip, frame)
            }
        }
    }

    private func exchangeState(with address: Address, join: Bool) {
        resolver.withAddress(address) { [unowned self] target in
            GossipStream.connect(loop: loop, to: target, keyring: keyring, timeout: 10_000) { [unowned self] stream in
                guard let stream else {
                    return logger.debug("state exchange with \(address): cannot connect")
                }
                track(stream)
                stream.onRejected = { [unowned self] reason in metrics.dropped("stream"); logger.debug("state exchange with \(address): \(reason)") }
                stream.onMessage = { [unowned self, unowned stream] kind, payload in
                    if kind == .stateReply { apply(membership.mergeRemoteState(payload, from: address, now: now)) }
                    stream.close()
                }
                stream.send(.stateRequest, membership.localState(join: join))
            }
        }
    }

    private func track(_ stream: GossipStream) {
        let id = ObjectIdentifier(stream)
        outbound[id] = stream
        stream.tcp.onClose { [weak self] in self?.outbound[id] = nil }
    }

    private func publish(_ event: MembershipEvent) {
        switch event {
        case .changed(let member, _), .replaced(old: _, new: let member):
            metadata[member.name] = NodeMetadata(decoding: member.metadata)
            version += 1
            membershipObservers.forEach { $0(event) }
        case .removed(let member):
            metadata[member.name] = nil
            version += 1
            membershipObservers.forEach { $0(event) }
        case .nameConflict, .application, .applicationState:
            break
        }
        switch event {
        case .changed(let member, let previous):
            let level: Logger.Level = member.status == .alive && previous == nil ? .info : (member.status.isGone || member.status == .suspect ? .warning : .info)
            logger.log(level: level, "member \(member.name) is \(member.status)", metadata: ["address": "\(member.address)", "incarnation": "\(member.incarnation)", "was": "\(previous.map { "\($0)" } ?? "unknown")"])
        case .replaced(let old, let new):
            logger.info("member \(new.name) restarted", metadata: ["address": "\(new.address)", "old_address": "\(old.address)"])
        case .removed(let member):
            logger.info("member \(member.name) reaped after \(member.status)")
        case .nameConflict(let conflict):
            logger.error("another live node claims the name \(conflict.name)", metadata: ["other": "\(conflict.remoteAddress)"])
            if conflict.localIsLater {
                onFatal?("the name \(conflict.name) is taken by a live node at \(conflict.remoteAddress) that started first")
            }
        case .application(let payload):
            onApplicationUpdate?(payload)
        case .applicationState:
            break  // The replicated map syncs over its own stream messages, not membership push-pull.
        }
    }
}

/// Why the shell refused to start.
public enum GossipShellError: Error, CustomStringConvertible {
    case advertiseRequired(bound: String)

    public var description: String {
        switch self {
        case .advertiseRequired(let bound):
            "cluster.bind \(bound) is a wildcard address that other nodes cannot dial; set cluster.advertise"
        }
    }
}
