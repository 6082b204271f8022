import Foundation
import Gossip

/// The time memberlist's formulas give for every member to mark a crashed member dead, for the same settings: the
/// reference the measured detection times are compared with.
///
/// It adds three parts. First suspicion: some member probes the crashed one after `probeInterval * e / (e - 1)` on
/// average when every member probes one target per interval (SWIM 3.1), and that probe fails one `probeInterval`
/// later (memberlist `probeNode`). The minimum suspicion wait, `GossipSettings.minimumSuspicionTimeout` (memberlist
/// `suspicionTimeout`), reached once enough members confirm (Lifeguard IV-B). Spreading: the death notice reaches
/// everyone in about `ceil(log_gossipNodes(N))` gossip rounds, each round multiplying the members that know by
/// `gossipNodes`. For memberlist's LAN defaults that is about 7 s at N=10, 12 s at N=100 and 16 s at N=1000.
struct MemberlistBound {
    /// From the crash until the first member suspects it.
    var firstSuspicion: Duration
    /// The shortest suspicion before a suspect is declared dead.
    var suspicion: Duration
    /// From the first death notice until every member has it.
    var spreading: Duration

    /// The bound for a cluster of `memberCount` members running `settings`.
    init(settings: GossipSettings, memberCount: Int) {
        firstSuspicion = settings.probeInterval * (M_E / (M_E - 1)) + settings.probeInterval
        suspicion = settings.minimumSuspicionTimeout(memberCount: memberCount)
        let rounds = (log(Double(memberCount)) / log(Double(settings.gossipNodes))).rounded(.up)
        spreading = settings.gossipInterval * Int(rounds)
    }

    /// The whole bound: first suspicion, suspicion and spreading.
    var total: Duration { firstSuspicion + suspicion + spreading }
}
