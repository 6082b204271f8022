import Foundation
import Gossip

/// The membership benchmark (`scripts/bench/gossip.sh`): runs seeded trials of each scenario on the simulated
/// network with memberlist's LAN settings and prints one row per scenario beside memberlist's bound, with PASS or
/// FAIL per target. Exits 1 when a target fails.
@main
struct GossipBench {
    /// The cluster sizes the issue asks for.
    static let sizes = [10, 100, 1000]

    /// Each size at 0% and 5% loss. Trials shrink as N grows so the whole run stays near two minutes in release
    /// mode on two cores; every trial crashes a random member under its own seed.
    static let scenarios = sizes.flatMap { members in
        [0.0, 0.05].map { Scenario(members: members, loss: $0, trials: members == 1000 ? 15 : 31) }
    }

    static func main() {
        let settings = GossipSettings.lan
        print("gossip membership on the simulated network, memberlist LAN settings, virtual time, seeds 1...trials")
        print("targets: detection median <= memberlist bound (max and its ratio shown), every update reaches all " +
            "within 3 s, msgs/member/s in \(Summary.loadTarget) at 0% loss, no false deaths")
        for line in Summary.header { print(line) }
        var failed = false
        let clock = ContinuousClock()
        for scenario in scenarios {
            let started = clock.now
            let trials = (1...scenario.trials).map { Trial(scenario, settings: settings, seed: UInt64($0)) }
            let summary = Summary(
                scenario: scenario, bound: MemberlistBound(settings: settings, memberCount: scenario.members),
                trials: trials, gossipInterval: settings.gossipInterval)
            failed = failed || summary.failed
            let wall = (clock.now - started) / .seconds(1)
            print(summary.row + String(format: "   (%d trials, %.0f s)", scenario.trials, wall))
        }
        print()
        for members in sizes {
            let bound = MemberlistBound(settings: settings, memberCount: members)
            print(String(format: "memberlist bound at N=%d: first suspicion %.2f s + minimum suspicion %.2f s + spreading %.2f s",
                members, bound.firstSuspicion / .seconds(1), bound.suspicion / .seconds(1), bound.spreading / .seconds(1)))
        }
        print("detect: crash until every live member marked it dead. rounds and spread: one metadata update until " +
            "every member applied it, in gossip rounds of \(Int(settings.gossipInterval / .milliseconds(1))) ms and in seconds.")
        print("msgs and bytes: datagrams and TCP fallback frames over a \(Int(Trial.loadWindow / .seconds(1))) s steady-state window. " +
            "push-pull: one member's state x2 per scaled push-pull interval.")
        exit(failed ? 1 : 0)
    }
}
