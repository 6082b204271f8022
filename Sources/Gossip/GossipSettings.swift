import Foundation

/// The `cluster:` section's protocol numbers: how often members probe, gossip and exchange state, and how long
/// they wait before declaring a member dead.
///
/// Defaults are memberlist's `DefaultLANConfig` (hashicorp/memberlist `config.go`), so the detection and
/// bandwidth figures can be checked against memberlist's own formulas. Node decodes the YAML into this struct and
/// calls `validate()`; `Membership.init` validates again, so an invalid value never reaches the machine.
public struct GossipSettings: Equatable, Sendable {
    /// The cluster's name, written in every frame as its label; frames with another label are dropped, so two
    /// clusters on one network never merge. YAML `cluster.name`; default `"rivulet"`; at most 255 bytes of UTF-8.
    /// The shell also authenticates it as associated data when `cluster.secret` turns on encryption.
    /// Origin: memberlist's `Label`.
    public var clusterName = "rivulet"

    /// Time between two probes started by this member (randomised round-robin over all members). YAML
    /// `cluster.probe_interval`; unit: duration; default 1 s. Lifeguard multiplies it by the local health
    /// multiplier (1x to `awarenessMaxMultiplier`x). Lower detects failures sooner at the cost of one ping and one
    /// ack per member per interval. Origin: memberlist LAN default.
    public var probeInterval: Duration = .seconds(1)

    /// How long a direct ping waits for its ack before asking `indirectChecks` helpers. YAML `cluster.probe_timeout`;
    /// unit: duration; default 500 ms; must be below `probeInterval`. Should sit above the network's 99th
    /// percentile round trip: lower starts indirect probes (extra traffic) on slow links. Not scaled by health,
    /// because waiting longer does not help a lost datagram (memberlist `probeNode`). Origin: memberlist LAN default.
    public var probeTimeout: Duration = .milliseconds(500)

    /// How many other members relay a ping (ping-req) when the direct ping times out. YAML
    /// `cluster.indirect_checks`; unit: members; default 3; 0 disables indirect probes. More helpers make a false
    /// suspicion from one bad path less likely, at a few packets per failed probe. Origin: memberlist LAN default.
    public var indirectChecks = 3

    /// Whether a failed direct ping is also retried over TCP, which gets through networks that filter UDP
    /// (consul#16601). YAML `cluster.tcp_fallback_ping`; default true. Costs one short TCP connection per failed
    /// probe. Origin: memberlist LAN default (`DisableTcpPings: false`).
    public var tcpFallbackPing = true

    /// The largest Lifeguard local-health multiplier: a member that misses its own deadlines stretches its probe
    /// interval up to this many times, so a starved member accuses nobody (Lifeguard IV-A). YAML
    /// `cluster.awareness_max_multiplier`; unit: factor; default 8 (health score 0 to 7). Higher protects a
    /// struggling member longer but slows its own failure detection. Origin: memberlist LAN default.
    public var awarenessMaxMultiplier = 8

    /// Scales the suspicion timeout: the minimum wait before a suspect is declared dead is
    /// `suspicionMultiplier * max(1, log10(N)) * probeInterval`, with N the known members (4 s at N=10, 8 s at
    /// N=100, 12 s at N=1000). YAML `cluster.suspicion_mult`; unit: factor; default 4. Higher gives a falsely
    /// suspected member more time to refute, at the cost of slower detection. Origin: memberlist LAN default.
    public var suspicionMultiplier = 4

    /// The suspicion timeout starts at this multiple of the minimum and shrinks to the minimum as independent
    /// members confirm the suspicion (Lifeguard IV-B; `suspicion_mult - 2` confirmations are expected). YAML
    /// `cluster.suspicion_max_mult`; unit: factor; default 6. Higher protects against a single member's false
    /// accusation but delays detection when few others probe the suspect. Origin: memberlist LAN default.
    public var suspicionMaxTimeoutMultiplier = 6

    /// How many times each update is sent: `retransmitMultiplier * ceil(log10(N + 1))` (8 at N=10, 12 at N=100,
    /// 16 at N=1000). YAML `cluster.retransmit_mult`; unit: factor; default 4. Higher reaches every member more
    /// surely under loss, at the cost of bandwidth. Origin: memberlist LAN default.
    public var retransmitMultiplier = 4

    /// Time between two gossip rounds; each round sends queued updates to `gossipNodes` random members. YAML
    /// `cluster.gossip_interval`; unit: duration; default 200 ms. Lower spreads news faster, at the cost of packets.
    /// Origin: memberlist LAN default.
    public var gossipInterval: Duration = .milliseconds(200)

    /// How many random members each gossip round sends to. YAML `cluster.gossip_nodes`; unit: members; default 3.
    /// Higher spreads news in fewer rounds, at the cost of bandwidth. Origin: memberlist LAN default.
    public var gossipNodes = 3

    /// How long a dead or left member is kept (and still gossiped to) so the news reaches everyone, after which it is
    /// reaped and forgotten: state never grows without bound (memberlist#253). YAML `cluster.gossip_to_dead`;
    /// unit: duration; default 30 s. Longer lets late members learn of the death; shorter frees memory sooner.
    /// Origin: memberlist LAN default (`GossipToTheDeadTime`).
    public var gossipToTheDead: Duration = .seconds(30)

    /// Time between two full state exchanges over TCP with one random member, which repair whatever gossip missed
    /// (partitions, restarts). Above 32 members it grows as `interval * (ceil(log2(N) - log2(32)) + 1)` so the
    /// cluster's total push-pull load stays flat. YAML `cluster.push_pull_interval`; unit: duration; default 30 s;
    /// zero turns periodic exchanges off (joins still exchange). Lower heals sooner; each exchange carries the whole
    /// member list. Origin: memberlist LAN default.
    public var pushPullInterval: Duration = .seconds(30)

    /// The largest datagram the machine writes, before the shell's encryption adds its own overhead. Several messages
    /// are packed into one compound datagram up to this size. YAML `cluster.packet_size`; unit: bytes; default 1400;
    /// at least 512. Keep it under the path MTU minus encryption overhead, or datagrams fragment and get lost.
    /// Origin: memberlist LAN default (`UDPBufferSize` is 1400).
    public var packetSize = 1400

    /// The share of a packet's free space reserved for application updates while both kinds are queued, so neither
    /// membership nor application updates can starve the other (memberlist#299); space one kind leaves unused goes
    /// to the other. YAML `cluster.application_share`; unit: fraction 0...1; default 0.5. Origin: rivulet.
    public var applicationShare = 0.5

    /// First wait before a join is retried when no seed answered; it doubles after each attempt up to
    /// `pushPullInterval` (or 30 s when that is zero). YAML `cluster.join_retry_interval`; unit: duration; default 1 s.
    /// Lower joins sooner after seeds come up, at the cost of connection attempts. Origin: rivulet.
    public var joinRetryInterval: Duration = .seconds(1)

    /// The most metadata bytes (admin HTTP address, version, roles) one member may carry; fixed by the protocol.
    /// Origin: memberlist's `MetaMaxSize`.
    public static let metadataLimit = 512

    /// Creates the LAN defaults; use `.lan` or `.loopback` for readability at call sites.
    public init() {}

    /// memberlist's LAN defaults: every field as documented above. The default for real clusters.
    public static let lan = GossipSettings()

    /// Faster settings for clusters on one host (tests and `cluster-configs/`), from memberlist's
    /// `DefaultLocalConfig`: the loopback never loses packets and round trips take microseconds, so probes time
    /// out sooner, fewer helpers are needed, and suspicion is shorter. Unlike memberlist, retransmits stay at the
    /// LAN multiplier (see below).
    public static let loopback: GossipSettings = {
        var settings = GossipSettings()
        settings.probeTimeout = .milliseconds(200)
        settings.indirectChecks = 1
        // memberlist's local profile sends each update 2 * ceil(log10(N + 1)) times; at five members that is 2,
        // and when both go to members that already know, the rest wait for the next push-pull (15 s). Measured
        // with real processes: one start in six did not converge. The loopback has bandwidth to spare, so keep
        // the LAN multiplier.
        settings.suspicionMultiplier = 3
        settings.gossipInterval = .milliseconds(100)
        settings.gossipToTheDead = .seconds(15)
        settings.pushPullInterval = .seconds(15)
        return settings
    }()

    /// Checks values decoded from user YAML and throws `GossipError.invalidSetting` naming the first bad key.
    public func validate() throws(GossipError) {
        func require(_ condition: Bool, _ key: String, _ reason: String) throws(GossipError) {
            if !condition { throw .invalidSetting(key: key, reason: reason) }
        }
        try require(!clusterName.isEmpty && clusterName.utf8.count <= 255, "name", "must be 1 to 255 bytes")
        try require(probeInterval.wholeMilliseconds >= 1, "probe_interval", "must be at least 1 ms")
        try require(probeTimeout.wholeMilliseconds >= 1, "probe_timeout", "must be at least 1 ms")
        try require(probeTimeout < probeInterval, "probe_timeout", "must be shorter than probe_interval")
        try require((0...16).contains(indirectChecks), "indirect_checks", "must be 0 to 16")
        try require((1...64).contains(awarenessMaxMultiplier), "awareness_max_multiplier", "must be 1 to 64")
        try require((1...64).contains(suspicionMultiplier), "suspicion_mult", "must be 1 to 64")
        try require((1...64).contains(suspicionMaxTimeoutMultiplier), "suspicion_max_mult", "must be 1 to 64")
        try require((1...64).contains(retransmitMultiplier), "retransmit_mult", "must be 1 to 64")
        try require(gossipInterval.wholeMilliseconds >= 1, "gossip_interval", "must be at least 1 ms")
        try require((1...64).contains(gossipNodes), "gossip_nodes", "must be 1 to 64")
        try require(gossipToTheDead.wholeMilliseconds >= 0, "gossip_to_dead", "must not be negative")
        try require(pushPullInterval.wholeMilliseconds >= 0, "push_pull_interval", "must not be negative")
        try require((512...65_000).contains(packetSize), "packet_size", "must be 512 to 65000 bytes")
        try require((0...1).contains(applicationShare), "application_share", "must be between 0 and 1")
        try require(joinRetryInterval.wholeMilliseconds >= 1, "join_retry_interval", "must be at least 1 ms")
    }

    /// The shortest suspicion timeout for a cluster of `memberCount` members (memberlist `suspicionTimeout`).
    public func minimumSuspicionTimeout(memberCount: Int) -> Duration {
        .milliseconds(
            Suspicion.minimumTimeout(
                multiplier: suspicionMultiplier, memberCount: memberCount,
                probeInterval: probeInterval.wholeMilliseconds))
    }

    /// How many times each update is sent in a cluster of `memberCount` members (memberlist `retransmitLimit`).
    public func retransmitLimit(memberCount: Int) -> Int {
        BroadcastQueue.retransmitLimit(multiplier: retransmitMultiplier, memberCount: memberCount)
    }

    /// The push-pull interval used in a cluster of `memberCount` members (memberlist `pushPullScale`).
    public func scaledPushPullInterval(memberCount: Int) -> Duration {
        .milliseconds(Self.pushPullScale(interval: pushPullInterval.wholeMilliseconds, memberCount: memberCount))
    }

    /// memberlist's `pushPullScale`: flat up to 32 members, then one more interval per doubling.
    static func pushPullScale(interval: Int64, memberCount: Int) -> Int64 {
        let threshold = 32.0
        guard Double(memberCount) > threshold else { return interval }
        let multiplier = (log2(Double(memberCount)) - log2(threshold)).rounded(.up) + 1
        return interval * Int64(multiplier)
    }
}
