import Testing

@testable import Gossip

/// The machine driven by hand: explicit times, decoded directives.
struct MembershipTests {
    private static let codec = WireCodec(label: GossipSettings.lan.clusterName)

    private func address(_ name: String, port: UInt16 = 7000) -> Address {
        Address(host: name, port: port)
    }

    private func at(_ milliseconds: Int64) -> Instant {
        Instant(milliseconds: milliseconds)
    }

    private func machine(_ name: String, startID: UInt64 = 1, knowing others: [String] = []) -> Membership {
        var machine = try! Membership(
            name: name, startID: startID, address: address(name), random: GossipRandom(seed: 7), now: at(0))
        _ = machine.join(seeds: [], now: at(0))
        for other in others {
            _ = machine.receive(frame(.alive(alive(other))), from: address(other), now: at(0))
        }
        // Starting from an empty queue keeps each test's packets about the test.
        machine.membershipQueue = BroadcastQueue()
        return machine
    }

    private func alive(_ name: String, incarnation: UInt32 = 1, startID: UInt64 = 1, port: UInt16 = 7000) -> Message.Alive {
        .init(name: name, startID: startID, incarnation: incarnation, address: address(name, port: port), metadata: [])
    }

    private func frame(_ messages: Message...) -> [UInt8] {
        Self.codec.frame(messages.map(WireCodec.encode))
    }

    /// Every send in `directives`, decoded.
    private func sends(_ directives: [Directive]) -> [(messages: [Message], to: Address, over: Transport)] {
        directives.compactMap { directive in
            guard case .send(let frame, let to, let over) = directive else { return nil }
            return (try! Self.codec.messages(in: frame), to, over)
        }
    }

    private func events(_ directives: [Directive]) -> [MembershipEvent] {
        directives.compactMap { if case .emit(let event) = $0 { event } else { nil } }
    }

    @Test func joinWithoutSeedsOnlySchedulesTheFirstTick() {
        var machine = try! Membership(name: "a", startID: 1, address: address("a"), random: GossipRandom(seed: 1), now: at(0))
        let directives = machine.join(seeds: [address("a")], now: at(0))
        #expect(directives.count == 1)
        guard case .scheduleTick(let after) = directives.first else {
            Issue.record("expected a tick, got \(directives)")
            return
        }
        #expect(after < .seconds(1))
    }

    @Test func joinAsksEverySeedButItself() {
        var machine = try! Membership(name: "a", startID: 1, address: address("a"), random: GossipRandom(seed: 1), now: at(0))
        let directives = machine.join(seeds: [address("a"), address("b"), address("c")], now: at(0))
        #expect(directives.filter { if case .exchangeState = $0 { true } else { false } }.count == 2)
        #expect(directives.contains(.exchangeState(with: address("b"), join: true)))
    }

    @Test func knownMembersAreProbedAtOnceWithoutBeingAnnounced() throws {
        let roster = ["a", "b", "c", "d"].map { name in
            Member(
                name: name, startID: 1, address: address(name), metadata: [], incarnation: 3, status: .suspect,
                statusChangedAt: at(0))
        }
        var machine = try Membership(
            name: "a", startID: 1, address: address("a"), knownMembers: roster, random: GossipRandom(seed: 1),
            now: at(5))
        #expect(machine.members["a"]?.incarnation == 1)
        #expect(machine.members["b"] == Member(
            name: "b", startID: 1, address: address("b"), metadata: [], incarnation: 3, status: .alive,
            statusChangedAt: at(5)))
        #expect(machine.membershipQueue.isEmpty)
        let joined = machine.join(seeds: [], now: at(5))
        let ticked = machine.tick(now: machine.nextProbeAt)
        #expect(events(joined + ticked).isEmpty)
        let probe = try #require(sends(ticked).first)
        guard case .ping(let ping) = probe.messages.first else {
            Issue.record("expected a ping, got \(probe.messages)")
            return
        }
        #expect(probe.messages.count == 1)
        #expect(["b", "c", "d"].contains(ping.target) && probe.to == address(ping.target))
    }

    @Test func goneKnownMembersAreSkippedAndOversizedMetadataIsRefused() {
        let dead = Member(
            name: "b", startID: 1, address: address("b"), metadata: [], incarnation: 1, status: .dead,
            statusChangedAt: at(0))
        let machine = try! Membership(
            name: "a", startID: 1, address: address("a"), knownMembers: [dead], random: GossipRandom(seed: 1), now: at(0))
        #expect(Set(machine.members.keys) == ["a"])
        var large = dead
        large.status = .alive
        large.metadata = Array(repeating: 1, count: 513)
        #expect(throws: GossipError.tooLarge(field: "metadata", size: 513, limit: 512)) {
            try Membership(
                name: "a", startID: 1, address: address("a"), knownMembers: [large], random: GossipRandom(seed: 1),
                now: at(0))
        }
    }

    @Test func everyTickEndsWithTheNextTick() {
        var machine = machine("a", knowing: ["b"])
        for now in stride(from: Int64(0), through: 5000, by: 100) {
            let directives = machine.tick(now: at(now))
            #expect(directives.contains { if case .scheduleTick = $0 { true } else { false } })
        }
    }

    @Test func pingIsAnsweredWithAckOnTheSameTransport() {
        var machine = machine("a")
        let directives = machine.receive(frame(.ping(.init(sequence: 9, target: "a"))), from: address("b"), over: .stream, now: at(10))
        let replies = sends(directives)
        #expect(replies.count == 1)
        #expect(replies.first?.messages == [.ack(sequence: 9)])
        #expect(replies.first?.over == .stream && replies.first?.to == address("b"))
    }

    @Test func misdirectedPingIsIgnored() {
        var machine = machine("a")
        let directives = machine.receive(frame(.ping(.init(sequence: 9, target: "z"))), from: address("b"), now: at(10))
        #expect(directives.contains(.ignored(.misdirectedPing(target: "z"))))
        #expect(sends(directives).isEmpty)
    }

    @Test func ackForNoProbeIsIgnored() {
        var machine = machine("a")
        let directives = machine.receive(frame(.ack(sequence: 1234)), from: address("b"), now: at(10))
        #expect(directives.contains(.ignored(.unknownSequence(1234))))
    }

    @Test func probeTimeoutAsksHelpersAndFallsBackToTCP() throws {
        var machine = machine("a", knowing: ["b", "c", "d", "e"])
        let start = machine.nextProbeAt
        let ping = try #require(sends(machine.tick(now: start)).first)
        guard case .ping(let probe) = ping.messages.first else {
            Issue.record("expected a ping, got \(ping.messages)")
            return
        }
        let later = sends(machine.tick(now: start + 500))
        let helpers = later.filter { if case .indirectPing = $0.messages.first { true } else { false } }
        #expect(helpers.count == 3)
        #expect(!helpers.contains { $0.to.host == probe.target })
        #expect(later.contains { $0.over == .stream && $0.messages == [.ping(probe)] })
    }

    @Test func failedProbeSuspectsTheTargetAndMissingNacksRaiseTheHealthScore() throws {
        var machine = machine("a", knowing: ["b", "c", "d", "e"])
        let start = machine.nextProbeAt
        _ = machine.tick(now: start)
        let target = try #require(machine.probe?.target)
        _ = machine.tick(now: start + 500)
        let directives = machine.tick(now: start + 1000)
        #expect(machine.members[target]?.status == .suspect)
        #expect(events(directives).contains { if case .changed(let m, .alive) = $0 { m.name == target } else { false } })
        #expect(machine.healthScore == 3)
        #expect(machine.counters.failedProbes == 1)
    }

    @Test func ackBeforeTheDeadlineCompletesTheProbe() throws {
        var machine = machine("a", knowing: ["b"])
        let start = machine.nextProbeAt
        let ping = try #require(sends(machine.tick(now: start)).first)
        guard case .ping(let probe) = ping.messages.first else {
            Issue.record("expected a ping")
            return
        }
        _ = machine.receive(frame(.ack(sequence: probe.sequence)), from: address("b"), now: start + 20)
        #expect(machine.probe == nil)
        _ = machine.tick(now: start + 1000)
        #expect(machine.members["b"]?.status == .alive)
    }

    @Test func indirectPingIsRelayedAndNackedWhenTheTargetIsSilent() throws {
        var machine = machine("a", knowing: ["b", "c"])
        let request = Message.indirectPing(.init(sequence: 77, target: "c", targetAddress: address("c"), wantsNack: true))
        let relayed = try #require(sends(machine.receive(frame(request), from: address("b"), now: at(10))).first)
        #expect(relayed.to == address("c"))
        let early = sends(machine.tick(now: at(409)))
        #expect(!early.contains { $0.messages.first == .nack(sequence: 77) })
        let nack = sends(machine.tick(now: at(410)))
        #expect(nack.contains { $0.to == address("b") && $0.messages.first == .nack(sequence: 77) })
    }

    @Test func suspectRefutedByHigherIncarnation() {
        var machine = machine("a", knowing: ["b"])
        let directives = machine.receive(
            frame(.suspect(.init(name: "a", startID: 1, incarnation: 1, from: "b"))), from: address("b"), now: at(10))
        #expect(machine.local.incarnation == 2)
        #expect(machine.local.status == .alive)
        #expect(machine.counters.refutations == 1)
        #expect(sends(directives).isEmpty)
        let gossip = sends(machine.tick(now: machine.nextGossipAt))
        #expect(gossip.contains { $0.messages.contains(.alive(alive("a", incarnation: 2))) })
    }

    @Test func aliveWithHigherIncarnationEndsASuspicion() {
        var machine = machine("a", knowing: ["b", "c"])
        _ = machine.receive(frame(.suspect(.init(name: "b", startID: 1, incarnation: 1, from: "c"))), from: address("c"), now: at(10))
        #expect(machine.members["b"]?.status == .suspect && machine.activeSuspicions == 1)
        _ = machine.receive(frame(.alive(alive("b", incarnation: 2))), from: address("b"), now: at(20))
        #expect(machine.members["b"]?.status == .alive && machine.activeSuspicions == 0)
    }

    @Test func suspicionTimesOutIntoDeathAndTheDeadAreReaped() {
        var machine = machine("a", knowing: ["b", "c"])
        _ = machine.receive(frame(.suspect(.init(name: "b", startID: 1, incarnation: 1, from: "c"))), from: address("c"), now: at(0))
        // Three members expect no confirmations, so the minimum applies: 4 * max(1, log10(3)) * 1 s.
        _ = machine.tick(now: at(3999))
        #expect(machine.members["b"]?.status == .suspect)
        _ = machine.tick(now: at(4000))
        #expect(machine.members["b"]?.status == .dead)
        let reaped = machine.tick(now: at(4000 + 30_000))
        #expect(machine.members["b"] == nil)
        #expect(events(reaped).contains { if case .removed(let m) = $0 { m.name == "b" } else { false } })
    }

    @Test func staleNewsIsIgnored() {
        var machine = machine("a", knowing: ["b"])
        _ = machine.receive(frame(.alive(alive("b", incarnation: 5))), from: address("b"), now: at(10))
        let older = machine.receive(frame(.alive(alive("b", incarnation: 4))), from: address("b"), now: at(20))
        #expect(older.contains(.ignored(.staleIncarnation(member: "b"))))
        let unknown = machine.receive(frame(.dead(.init(name: "zz", startID: 1, incarnation: 1, from: "b"))), from: address("b"), now: at(20))
        #expect(unknown.contains(.ignored(.unknownMember("zz"))))
    }

    @Test func restartWithGreaterStartIDReplacesTheMemberAtOnce() {
        var machine = machine("a", knowing: ["b", "c"])
        _ = machine.receive(frame(.suspect(.init(name: "b", startID: 1, incarnation: 1, from: "c"))), from: address("c"), now: at(10))
        let directives = machine.receive(frame(.alive(alive("b", startID: 2, port: 7001))), from: address("b", port: 7001), now: at(20))
        #expect(machine.members["b"]?.startID == 2 && machine.members["b"]?.status == .alive)
        #expect(machine.members["b"]?.address.port == 7001)
        #expect(machine.activeSuspicions == 0)
        #expect(events(directives).contains { if case .replaced = $0 { true } else { false } })
        let stale = machine.receive(frame(.alive(alive("b", incarnation: 9, startID: 1))), from: address("c"), now: at(30))
        #expect(stale.contains(.ignored(.staleStartID(member: "b"))))
    }

    @Test func twoLiveProcessesWithOneNameBothReportTheConflict() throws {
        var earlier = machine("a", startID: 1, knowing: ["b"])
        var later = machine("a", startID: 2)
        later.members["a"]?.address = address("a", port: 7001)
        let claim = frame(.alive(Membership.alive(of: later.local)))
        let answer = earlier.receive(claim, from: address("b"), now: at(10))
        let earlierConflict = events(answer).compactMap { if case .nameConflict(let c) = $0 { c } else { nil } }
        #expect(earlierConflict.first?.localIsLater == false)
        let reply = try #require(sends(answer).first { $0.to == address("a", port: 7001) })
        let heard = later.receive(Self.codec.frame(reply.messages.map(WireCodec.encode)), from: address("a"), now: at(12))
        let laterConflict = events(heard).compactMap { if case .nameConflict(let c) = $0 { c } else { nil } }
        #expect(laterConflict.first?.localIsLater == true)
        let relayed = later.receive(frame(.alive(alive("a"))), from: address("b"), now: at(13))
        #expect(relayed.contains(.ignored(.staleStartID(member: "a"))))
    }

    @Test func leaveGossipsTheLeftNoticeAndStopsProbing() {
        var machine = machine("a", knowing: ["b", "c"])
        let directives = machine.leave(now: at(50))
        #expect(machine.local.status == .left)
        let notices = sends(directives).filter { $0.messages.contains(.dead(.init(name: "a", startID: 1, incarnation: 2, from: "a"))) }
        #expect(notices.count == 2)
        let later = sends(machine.tick(now: at(5000)))
        #expect(!later.contains { if case .ping = $0.messages.first { true } else { false } })
    }

    @Test func metadataIsLimitedTo512BytesAndUpdatesRaiseTheIncarnation() throws {
        #expect(throws: GossipError.tooLarge(field: "metadata", size: 513, limit: 512)) {
            try Membership(
                name: "a", startID: 1, address: address("a"), metadata: Array(repeating: 1, count: 513),
                random: GossipRandom(seed: 1), now: at(0))
        }
        var machine = machine("a")
        _ = try machine.updateMetadata(Array(repeating: 2, count: 512), now: at(5))
        #expect(machine.local.incarnation == 2 && machine.local.metadata.count == 512)
    }

    @Test func remoteStateIsMergedAndAnsweredWithApplicationState() {
        var machine = machine("a")
        var other = self.machine("b", knowing: ["c"])
        let state = other.localState(join: true, applicationState: [4, 2])
        let directives = machine.mergeRemoteState(state, from: address("b"), now: at(10))
        #expect(Set(machine.members.keys) == ["a", "b", "c"])
        #expect(events(directives).contains(.applicationState([4, 2], from: address("b"))))
        let wrong = machine.mergeRemoteState(frame(.ack(sequence: 1)), from: address("b"), now: at(11))
        #expect(wrong.contains { if case .ignored(.unexpectedMessage) = $0 { true } else { false } })
        _ = other.mergeRemoteState(machine.localState(join: false), from: address("a"), now: at(12))
        #expect(other.members["a"]?.status == .alive)
    }

    @Test func applicationUpdatesKeepTheirShareWhileMembershipNewsIsQueued() throws {
        var machine = machine("a", knowing: ["b"])
        for index in 0..<200 {
            machine.enqueueMembershipUpdate(.alive(alive("member\(index)")), about: "member\(index)")
        }
        for index in 0..<20 {
            try machine.broadcast(application: Array(repeating: UInt8(index), count: 60), key: "key\(index)")
        }
        let packets = sends(machine.tick(now: machine.nextGossipAt))
        let first = try #require(packets.first)
        let application = first.messages.filter { if case .application = $0 { true } else { false } }.count
        let membership = first.messages.count - application
        #expect(application >= 8 && membership >= 20)
        for directive in machine.tick(now: machine.nextGossipAt) {
            if case .send(let frame, _, .datagram) = directive { #expect(frame.count <= 1400) }
        }
    }

    @Test func oversizedApplicationUpdateIsRefused() {
        var machine = machine("a")
        #expect(throws: GossipError.self) { try machine.broadcast(application: Array(repeating: 0, count: 1400)) }
    }

    @Test func broadcastQueueSendsLeastSentNewestFirstAndReplacesByKey() {
        var queue = BroadcastQueue()
        queue.enqueue([1], key: "x")
        queue.enqueue([2], key: "y")
        queue.enqueue([3], key: "x")
        #expect(queue.items.count == 2)
        #expect(queue.take(budget: 3, overhead: 2, limit: 2, maxCount: 10) == [[3]])
        #expect(queue.take(budget: 100, overhead: 2, limit: 2, maxCount: 10) == [[2], [3]])
        #expect(queue.take(budget: 100, overhead: 2, limit: 2, maxCount: 10) == [[2]])
        #expect(queue.isEmpty && queue.queuedBytes == 0)
    }

    @Test func newsThatAMemberIsAliveIsNotSpentOnThatMember() {
        var queue = BroadcastQueue()
        queue.enqueue([1], key: "c", announces: "c")
        queue.enqueue([2], key: "d")
        // Packets to c carry only the other news and leave c's announcement its full transmits.
        #expect(queue.take(budget: 100, overhead: 2, limit: 2, maxCount: 10, recipient: "c") == [[2]])
        #expect(queue.take(budget: 100, overhead: 2, limit: 2, maxCount: 10, recipient: "c") == [[2]])
        #expect(queue.take(budget: 100, overhead: 2, limit: 2, maxCount: 10, recipient: "b") == [[1]])
        #expect(queue.take(budget: 100, overhead: 2, limit: 2, maxCount: 10, recipient: "a") == [[1]])
        #expect(queue.isEmpty)
    }
}

/// Settings validation and profiles.
struct GossipSettingsTests {
    private static func lan(_ change: (inout GossipSettings) -> Void) -> GossipSettings {
        var settings = GossipSettings.lan
        change(&settings)
        return settings
    }

    @Test(arguments: [
        ("name", lan { $0.clusterName = "" }),
        ("probe_timeout", lan { $0.probeTimeout = .seconds(2) }),
        ("probe_interval", lan { $0.probeInterval = .zero }),
        ("indirect_checks", lan { $0.indirectChecks = -1 }),
        ("suspicion_mult", lan { $0.suspicionMultiplier = 0 }),
        ("gossip_nodes", lan { $0.gossipNodes = 0 }),
        ("packet_size", lan { $0.packetSize = 100 }),
        ("application_share", lan { $0.applicationShare = 1.5 }),
    ])
    func invalidSettingNamesItsYAMLKey(key: String, settings: GossipSettings) {
        #expect {
            try settings.validate()
        } throws: { error in
            if case GossipError.invalidSetting(let reported, _) = error { reported == key } else { false }
        }
    }

    @Test func profilesAreValidAndLoopbackIsFaster() throws {
        try GossipSettings.lan.validate()
        try GossipSettings.loopback.validate()
        #expect(GossipSettings.loopback.probeTimeout < GossipSettings.lan.probeTimeout)
        #expect(GossipSettings.loopback.gossipInterval < GossipSettings.lan.gossipInterval)
    }
}
