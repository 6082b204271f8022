import GossipSimulation
import Testing

@testable import Gossip

/// Cluster behaviour over the simulated network: join, crash detection, leave, restart, refutation, partitions and
/// starvation, at 3, 50 and 1000 members.
struct SimulationTests {
    /// Starts `count` members that join through the first one and runs until everyone knows everyone.
    private func joinedCluster(_ count: Int, settings: GossipSettings = .lan, seed: UInt64) -> Simulation {
        var simulation = Simulation(settings: settings, seed: seed)
        simulation.start("node0")
        for index in 1..<count {
            simulation.start("node\(index)", seeds: [Simulation.address(of: "node0")])
        }
        simulation.run(for: .seconds(10))
        return simulation
    }

    private func everyoneSeesEveryoneAlive(_ simulation: Simulation) -> Bool {
        simulation.running.allSatisfy { observer in
            simulation.running.allSatisfy { simulation.view(of: observer, about: $0)?.status == .alive }
        }
    }

    @Test func threeMembersJoinThroughOneSeed() {
        var simulation = Simulation(seed: 1)
        simulation.start("node0", seeds: [Simulation.address(of: "node0")])
        simulation.start("node1", seeds: [Simulation.address(of: "node0")])
        simulation.start("node2", seeds: [Simulation.address(of: "node0")])
        simulation.run(until: Instant(milliseconds: 3000)) { everyoneSeesEveryoneAlive($0) }
        #expect(simulation.now < Instant(milliseconds: 3000))
        let allAlive = everyoneSeesEveryoneAlive(simulation)
        #expect(allAlive)
    }

    @Test func joinRetriesUntilTheSeedStarts() {
        var simulation = Simulation(seed: 2)
        simulation.start("node1", seeds: [Simulation.address(of: "node0")])
        simulation.run(for: .seconds(5))
        simulation.start("node0")
        simulation.run(for: .seconds(10))
        let allAlive = everyoneSeesEveryoneAlive(simulation)
        #expect(allAlive)
    }

    @Test func crashedMemberIsDeclaredDeadByEveryoneInThree() {
        var simulation = joinedCluster(3, seed: 3)
        let crashedAt = simulation.now
        simulation.crash("node2")
        simulation.run(for: .seconds(20))
        let times = simulation.goneTimes(of: "node2")
        #expect(Set(times.keys) == ["node0", "node1"])
        // memberlist's bound at N=3: probe round (<= 2 s) + minimum suspicion 4 s + spreading.
        #expect(times.values.allSatisfy { $0 - crashedAt <= 7000 })
        #expect(simulation.deaths.allSatisfy { $0.member == "node2" })
    }

    @Test func gracefulLeaveIsSeenAsLeftWithinOneSecond() {
        var simulation = joinedCluster(3, settings: .loopback, seed: 4)
        let leftAt = simulation.now
        simulation.leave("node1")
        simulation.run(for: .seconds(1))
        for observer in ["node0", "node2"] {
            #expect(simulation.view(of: observer, about: "node1")?.status == .left)
        }
        #expect(simulation.goneTimes(of: "node1").values.allSatisfy { $0 - leftAt <= 1000 })
        #expect(simulation.deaths.isEmpty)
    }

    @Test func restartedMemberReplacesItsOldSelfAtOnce() {
        var simulation = joinedCluster(3, seed: 5)
        simulation.crash("node2")
        simulation.run(for: .milliseconds(300))
        let restartedAt = simulation.now
        simulation.start("node2", startID: 2, port: 7001, seeds: [Simulation.address(of: "node0")])
        simulation.run(until: restartedAt + 3000) { simulation in
            ["node0", "node1"].allSatisfy { simulation.view(of: $0, about: "node2")?.startID == 2 }
        }
        for observer in ["node0", "node1"] {
            let view = simulation.view(of: observer, about: "node2")
            #expect(view?.startID == 2 && view?.status == .alive && view?.address.port == 7001)
        }
        simulation.run(for: .seconds(30))
        #expect(simulation.deaths.isEmpty)
        let allAlive = everyoneSeesEveryoneAlive(simulation)
        #expect(allAlive)
        #expect(!simulation.records.contains { if case .nameConflict = $0.event { true } else { false } })
    }

    @Test func falseSuspicionIsRefutedWithAHigherIncarnation() {
        var simulation = joinedCluster(5, seed: 7)
        let before = simulation.view(of: "node1", about: "node1")!.incarnation
        simulation.inject(
            .suspect(.init(name: "node1", startID: 1, incarnation: before, from: "node0")), into: "node0",
            from: Simulation.address(of: "node0"))
        #expect(simulation.view(of: "node0", about: "node1")?.status == .suspect)
        simulation.run(for: .seconds(30))
        #expect(simulation.deaths.isEmpty)
        let allAlive = everyoneSeesEveryoneAlive(simulation)
        #expect(allAlive)
        #expect(simulation.view(of: "node0", about: "node1")!.incarnation > before)
    }

    @Test func partitionHealsAndEveryoneIsAliveAgain() {
        var simulation = joinedCluster(6, seed: 8)
        for name in ["node3", "node4", "node5"] { simulation.partition[name] = 1 }
        simulation.run(for: .seconds(15))
        #expect(simulation.view(of: "node0", about: "node4")?.status == .dead)
        simulation.partition = [:]
        // Dead members are kept 30 s, in which a periodic exchange (every 30 to 60 s at first) reaches across.
        simulation.run(for: .seconds(60))
        let allAlive = everyoneSeesEveryoneAlive(simulation)
        #expect(allAlive)
    }

    @Test func starvedMemberCausesNoFalseDeathsAndRefutesAfterWaking() {
        var simulation = joinedCluster(10, seed: 9)
        let wakeAt = simulation.now + 3000
        simulation.freeze("node3", until: wakeAt)
        simulation.run(until: wakeAt)
        let suspectedWhileFrozen = simulation.records.contains { record in
            if case .changed(let member, _) = record.event { member.name == "node3" && member.status == .suspect } else { false }
        }
        #expect(suspectedWhileFrozen)
        simulation.run(until: wakeAt + 1000)
        #expect(simulation.running.allSatisfy { simulation.view(of: $0, about: "node3")?.status == .alive })
        simulation.run(for: .seconds(30))
        #expect(simulation.deaths.isEmpty)
        let allAlive = everyoneSeesEveryoneAlive(simulation)
        #expect(allAlive)
    }

    @Test func fiftyMembersDetectACrashAtFivePercentLossWithoutFalseDeaths() {
        var simulation = joinedCluster(50, seed: 10)
        let allAlive = everyoneSeesEveryoneAlive(simulation)
        #expect(allAlive)
        simulation.loss = 0.05
        let crashedAt = simulation.now
        simulation.crash("node17")
        simulation.run(for: .seconds(30))
        let times = simulation.goneTimes(of: "node17")
        #expect(times.count == 49)
        // memberlist's bound at N=50: about 2.6 s to first suspicion + 6.8 s minimum suspicion + spreading.
        #expect(times.values.allSatisfy { $0 - crashedAt <= 14_000 })
        #expect(simulation.deaths.allSatisfy { $0.member == "node17" })
    }

    @Test func steadyStateLoadIsAboutOnePingAndOneAckPerMemberPerSecond() {
        var simulation = joinedCluster(10, seed: 12)
        let frames = simulation.framesSent
        simulation.run(for: .seconds(60))
        let perMemberPerSecond = Double(simulation.framesSent - frames) / 10 / 60
        // Only pings and acks: nothing is queued to gossip, and state exchanges are streams the shell opens.
        #expect(perMemberPerSecond > 1.8 && perMemberPerSecond < 2.2)
    }

    @Test func thousandMembersSpreadAnUpdateAndDetectACrashWithoutFalseDeaths() {
        var simulation = Simulation(seed: 11)
        simulation.startJoined(count: 1000)
        simulation.run(for: .seconds(2))
        simulation.updateMetadata("node0", to: [1])
        simulation.run(for: .seconds(3))
        let reached = simulation.running.filter { simulation.view(of: $0, about: "node0")?.metadata == [1] }.count
        #expect(reached == 1000)
        let crashedAt = simulation.now
        simulation.crash("node500")
        simulation.run(until: crashedAt + 25_000) { $0.goneTimes(of: "node500").count == 999 }
        let times = simulation.goneTimes(of: "node500")
        #expect(times.count == 999)
        // memberlist's bound at N=1000: first suspicion + 12 s minimum suspicion + spreading, about 16 s.
        #expect(times.values.allSatisfy { $0 - crashedAt <= 20_000 })
        #expect(simulation.deaths.allSatisfy { $0.member == "node500" })
    }
}
