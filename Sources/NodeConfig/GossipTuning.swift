/// The optional `cluster.gossip:` map: overrides of the SWIM/Lifeguard timing, keyed as memberlist names them.
///
/// The defaults themselves belong to the gossip protocol's settings, not to the file format, so this type only
/// carries what the operator wrote: each value is seconds for a duration key and a count for the others. Durations
/// accept a number of seconds or a Go duration string. Every value must be positive, and counts whole numbers.
public struct GossipTuning: Sendable, Equatable {
    /// A tunable of the gossip protocol, with its YAML key as raw value.
    public enum Key: String, CaseIterable, Sendable {
        /// `probe_interval`, duration (memberlist LAN default 1 s). Time between failure-detection probes of a
        /// random member; lower detects failures sooner at the cost of bandwidth.
        case probeInterval = "probe_interval"
        /// `probe_timeout`, duration (default 500 ms). How long to wait for a direct ack before asking others to
        /// probe; should exceed the network's round-trip time at the 99th percentile.
        case probeTimeout = "probe_timeout"
        /// `indirect_checks`, count (default 3). Members asked to probe a target that missed its direct ack; more
        /// tolerates lossy paths at the cost of more packets.
        case indirectChecks = "indirect_checks"
        /// `suspicion_mult`, count (default 4). The suspicion timeout is
        /// `suspicion_mult * max(1, log10(N)) * probe_interval`; higher gives suspects longer to refute.
        case suspicionMult = "suspicion_mult"
        /// `suspicion_max_mult`, count (default 6). Upper bound of the suspicion timeout as a multiple of its
        /// minimum, used while few confirmations have arrived (Lifeguard IV-B).
        case suspicionMaxMult = "suspicion_max_mult"
        /// `gossip_interval`, duration (default 200 ms). Time between gossip rounds; lower spreads news faster at the
        /// cost of bandwidth.
        case gossipInterval = "gossip_interval"
        /// `gossip_nodes`, count (default 3). Random members sent gossip each round.
        case gossipNodes = "gossip_nodes"
        /// `retransmit_mult`, count (default 4). Each update is sent `retransmit_mult * ceil(log10(N + 1))` times;
        /// higher makes delivery likelier at the cost of bandwidth.
        case retransmitMult = "retransmit_mult"
        /// `push_pull_interval`, duration (default 30 s). Time between full state exchanges over TCP with a random
        /// member, which repair whatever gossip missed; lower converges sooner but each exchange costs the full state.
        case pushPullInterval = "push_pull_interval"
        /// `gossip_to_dead`, duration (default 30 s). How long dead members still receive gossip, so that a node
        /// wrongly declared dead learns it and can refute.
        case gossipToDead = "gossip_to_dead"

        /// Whether the value is a duration in seconds rather than a count.
        public var isDuration: Bool {
            switch self {
            case .probeInterval, .probeTimeout, .gossipInterval, .pushPullInterval, .gossipToDead:
                true
            case .indirectChecks, .suspicionMult, .suspicionMaxMult, .gossipNodes, .retransmitMult:
                false
            }
        }
    }

    /// The values the operator set: seconds for duration keys, counts for the others.
    public var overrides: [Key: Double]

    /// Tuning with the given overrides.
    public init(_ overrides: [Key: Double] = [:]) {
        self.overrides = overrides
    }

    /// The value set for `key`, or nil when the protocol default applies.
    public subscript(key: Key) -> Double? {
        overrides[key]
    }
}
