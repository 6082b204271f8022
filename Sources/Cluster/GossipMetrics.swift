import Gossip
import Metrics

/// The gossip layer's Prometheus series. The machine keeps cumulative counters; this turns their growth into
/// counter increments and samples the gauges whenever membership changes or the machine ticks.
struct GossipMetrics {
    private var last = MembershipCounters()
    private let probes = Counter(label: "rivulet_gossip_probes_total")
    private let failedProbes = Counter(label: "rivulet_gossip_probes_failed_total")
    private let refutations = Counter(label: "rivulet_gossip_refutations_total")
    private let messagesOut = Counter(label: "rivulet_gossip_messages_out_total")
    private let bytesOut = Counter(label: "rivulet_gossip_bytes_out_total")
    private let messagesIn = Counter(label: "rivulet_gossip_messages_in_total")
    private let bytesIn = Counter(label: "rivulet_gossip_bytes_in_total")
    private let suspicions = Gauge(label: "rivulet_gossip_suspicions")
    private let healthScore = Gauge(label: "rivulet_gossip_health_score")
    private let members = MemberStatus.allStatuses.map { ($0, Gauge(label: "rivulet_gossip_members", dimensions: [("state", "\($0)")])) }

    mutating func sample(_ membership: Membership) {
        let now = membership.counters
        probes.increment(by: now.probes - last.probes)
        failedProbes.increment(by: now.failedProbes - last.failedProbes)
        refutations.increment(by: now.refutations - last.refutations)
        messagesOut.increment(by: now.framesOut - last.framesOut)
        bytesOut.increment(by: now.bytesOut - last.bytesOut)
        last = now
        suspicions.record(membership.activeSuspicions)
        healthScore.record(membership.healthScore)
        for (status, gauge) in members {
            gauge.record(membership.members.values.count { $0.status == status })
        }
    }

    func received(bytes: Int) {
        messagesIn.increment()
        bytesIn.increment(by: bytes)
    }

    func dropped(_ reason: String) {
        Counter(label: "rivulet_gossip_dropped_total", dimensions: [("reason", reason)]).increment()
    }
}

extension MemberStatus {
    static let allStatuses: [MemberStatus] = [.alive, .suspect, .dead, .left]
}
