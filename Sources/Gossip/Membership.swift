/// The SWIM + Lifeguard membership machine of one node (memberlist's LAN behaviour), with no I/O.
///
/// The shell owns one value, feeds it every input (`receive`, `tick`, `mergeRemoteState`, `join`, `leave`) with
/// the current time, and interprets the returned `Directive`s in order. Randomness comes from the `GossipRandom`
/// given at init, so a seeded machine fed the same inputs makes the same choices. File split as memberlist's:
/// probing in `Membership+Probe`, message handling in `Membership+Receive`, status changes in
/// `Membership+Transitions`, dissemination in `Membership+Gossip`, state exchange, join and leave in
/// `Membership+PushPull`.
public struct Membership: Sendable {
    /// The protocol settings, validated at init.
    public let settings: GossipSettings
    /// This node's name; `members[localName]` is this node.
    public let localName: String
    /// Every known member by name, this node included; dead and left members stay until reaped.
    public internal(set) var members: [String: Member]
    /// Running totals for metrics.
    public internal(set) var counters = MembershipCounters()

    /// Frames and unframes messages with this cluster's label.
    let codec: WireCodec
    var random: GossipRandom
    var awareness: Awareness
    /// Running suspicion timers by member name; a member is `.suspect` exactly while it has one.
    var suspicions: [String: Suspicion] = [:]
    /// Membership news (alive, suspect, dead), keyed by member name.
    var membershipQueue = BroadcastQueue()
    /// The caller's opaque updates, with their own share of each packet.
    var applicationQueue = BroadcastQueue()
    /// Every other member's name in probe order; reshuffled at the end of each round (SWIM 4.3).
    var probeOrder: [String] = []
    var probeIndex = 0
    /// The probe in flight, if any; at most one at a time.
    var probe: Probe?
    /// Pings sent for other members' ping-reqs, by this node's sequence number.
    var relays: [UInt32: Relay] = [:]
    var lastSequence: UInt32 = 0
    var nextProbeAt: Instant
    var nextGossipAt: Instant
    var nextPushPullAt: Instant
    /// When each dead or left member is reaped.
    var reapAt: [String: Instant] = [:]
    /// The join in progress until some member's state arrives.
    var joinAttempt: JoinAttempt?
    /// The deadline of the last `.scheduleTick`, so unchanged deadlines are not rescheduled.
    var scheduledTickAt: Instant?

    /// A probe in flight (memberlist `probeNode`).
    struct Probe: Sendable {
        var target: String
        var startID: UInt64
        var address: Address
        var sequence: UInt32
        /// When the direct ping gives up and helpers are asked.
        var timeoutAt: Instant
        /// When the whole probe fails; helpers' acks count until then.
        var deadline: Instant
        var isIndirect = false
        var expectedNacks = 0
        var nacks = 0
    }

    /// A ping this node sent for another member's ping-req.
    struct Relay: Sendable {
        var origin: Address
        var transport: Transport
        /// The requester's sequence number, echoed back.
        var sequence: UInt32
        var wantsNack: Bool
        /// When to give up and (if asked) nack.
        var deadline: Instant
    }

    /// A join waiting for its first state exchange to succeed.
    struct JoinAttempt: Sendable {
        var seeds: [Address]
        var nextAttemptAt: Instant
        var backoff: Int64
    }

    /// Creates the machine for a node that just started, alive at incarnation 1.
    ///
    /// It knows only itself unless `knownMembers` lists others, for a shell that starts from a member list it
    /// persisted before a restart, or a simulation that starts a large cluster already joined. Each listed member
    /// that is not dead or left is taken as alive at its incarnation and enters the probe order, so probing starts
    /// at once. None is announced (no events, no gossip): the list is not news to anyone, and probes and state
    /// exchanges correct whatever it got wrong. Entries naming this node are skipped.
    ///
    /// Call `join(seeds:now:)` next, even with no seeds: it returns the first `.scheduleTick`. Throws
    /// `GossipError.invalidSetting` for bad settings and `.tooLarge` for a name over 255 bytes or metadata (this
    /// node's or a known member's) over 512 bytes.
    public init(
        name: String, startID: UInt64, address: Address, metadata: [UInt8] = [], knownMembers: [Member] = [],
        settings: GossipSettings = .lan, random: GossipRandom, now: Instant
    ) throws(GossipError) {
        try settings.validate()
        guard !name.isEmpty else { throw .malformed(field: "name", reason: "empty name") }
        guard name.utf8.count <= 255 else { throw .tooLarge(field: "name", size: name.utf8.count, limit: 255) }
        try Self.checkMetadata(metadata)
        self.settings = settings
        localName = name
        codec = WireCodec(label: settings.clusterName)
        self.random = random
        awareness = Awareness(maxMultiplier: settings.awarenessMaxMultiplier)
        members = [
            name: Member(
                name: name, startID: startID, address: address, metadata: metadata, incarnation: 1, status: .alive,
                statusChangedAt: now)
        ]
        // Random first deadlines keep members that start together from probing and gossiping in lockstep.
        nextProbeAt = now + Int64.random(in: 0..<settings.probeInterval.wholeMilliseconds, using: &self.random)
        nextGossipAt = now + Int64.random(in: 0..<settings.gossipInterval.wholeMilliseconds, using: &self.random)
        let pushPull = max(1, settings.pushPullInterval.wholeMilliseconds)
        nextPushPullAt = now + pushPull + Int64.random(in: 0..<pushPull, using: &self.random)
        for var member in knownMembers where member.name != name && !member.status.isGone {
            try Self.checkMetadata(member.metadata)
            member.status = .alive
            member.statusChangedAt = now
            members[member.name] = member
        }
        // Sorted before shuffling so the probe order depends on the seed, not on dictionary order (SWIM 4.3).
        probeOrder = members.keys.filter { $0 != name }.sorted().shuffled(using: &self.random)
    }

    /// This node as the machine sees it.
    public var local: Member {
        guard let member = members[localName] else {
            preconditionFailure("local member \(localName) missing from members \(members.keys.sorted())")
        }
        return member
    }

    /// Lifeguard's local health score: 0 is healthy, up to `awareness_max_multiplier - 1`; intervals are
    /// stretched by `score + 1`.
    public var healthScore: Int { awareness.score }

    /// How many members are suspect right now.
    public var activeSuspicions: Int { suspicions.count }

    /// Handles the timer the last `.scheduleTick` asked for: probe timeouts, suspicion timeouts, reaping, the
    /// next probe, gossip round, push-pull and join retry, whichever are due. Calling it early does no harm.
    public mutating func tick(now: Instant) -> [Directive] {
        var directives: [Directive] = []
        scheduledTickAt = nil
        expireRelays(now: now, into: &directives)
        advanceProbe(now: now, into: &directives)
        expireSuspicions(now: now, into: &directives)
        reap(now: now, into: &directives)
        let isActive = local.status == .alive
        if isActive, probe == nil, now >= nextProbeAt {
            startProbe(now: now, into: &directives)
        }
        if now >= nextGossipAt {
            nextGossipAt = now + settings.gossipInterval.wholeMilliseconds
            gossip(now: now, into: &directives)
        }
        if isActive, settings.pushPullInterval > .zero, now >= nextPushPullAt {
            startPeriodicExchange(now: now, into: &directives)
        }
        if isActive {
            retryJoin(now: now, into: &directives)
        }
        finish(&directives, now: now)
        return directives
    }

    /// Ends every input: appends `.scheduleTick` when the earliest deadline differs from the one already scheduled.
    mutating func finish(_ directives: inout [Directive], now: Instant) {
        var next = nextGossipAt
        if local.status == .alive {
            if probe == nil { next = min(next, nextProbeAt) }
            if settings.pushPullInterval > .zero { next = min(next, nextPushPullAt) }
            if let joinAttempt { next = min(next, joinAttempt.nextAttemptAt) }
        }
        if let probe { next = min(next, probe.isIndirect ? probe.deadline : probe.timeoutAt) }
        for relay in relays.values { next = min(next, relay.deadline) }
        for suspicion in suspicions.values { next = min(next, suspicion.deadline) }
        for deadline in reapAt.values { next = min(next, deadline) }
        if next != scheduledTickAt {
            scheduledTickAt = next
            directives.append(.scheduleTick(after: .milliseconds(max(0, next - now))))
        }
    }

    /// Records a dropped input.
    mutating func ignore(_ reason: IgnoreReason, into directives: inout [Directive]) {
        counters.ignored += 1
        directives.append(.ignored(reason))
    }

    /// A fresh sequence number for a ping; wrapping is harmless because only a handful are pending at once.
    mutating func nextSequence() -> UInt32 {
        lastSequence &+= 1
        return lastSequence
    }

    static func checkMetadata(_ metadata: [UInt8]) throws(GossipError) {
        guard metadata.count <= GossipSettings.metadataLimit else {
            throw .tooLarge(field: "metadata", size: metadata.count, limit: GossipSettings.metadataLimit)
        }
    }
}
