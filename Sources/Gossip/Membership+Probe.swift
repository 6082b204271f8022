/// Failure detection: randomised round-robin probes, indirect probes through helpers, the TCP fallback, and
/// Lifeguard's health score (SWIM 4.3, Lifeguard IV-A, memberlist `state.go` `probeNode`).
extension Membership {
    /// Starts a probe of the next member in probe order and sets the next probe `probe_interval` (stretched by
    /// health) from now.
    mutating func startProbe(now: Instant, into directives: inout [Directive]) {
        let interval = awareness.scale(settings.probeInterval.wholeMilliseconds)
        nextProbeAt = now + interval
        guard let target = nextProbeTarget() else { return }
        let sequence = nextSequence()
        probe = Probe(
            target: target.name, startID: target.startID, address: target.address, sequence: sequence,
            timeoutAt: now + settings.probeTimeout.wholeMilliseconds, deadline: nextProbeAt)
        counters.probes += 1
        var messages: [Message] = [.ping(.init(sequence: sequence, target: target.name))]
        if target.status == .suspect {
            // Tell a suspect so it can refute at once instead of waiting for gossip (memberlist `probeNode`).
            messages.append(
                .suspect(
                    .init(name: target.name, startID: target.startID, incarnation: target.incarnation, from: localName)))
        }
        send(messages, to: target.address, over: .datagram, into: &directives)
    }

    /// Moves the probe in flight on: after `probe_timeout` it asks helpers (and tries TCP), after its deadline it
    /// fails, adjusts health and suspects the target.
    mutating func advanceProbe(now: Instant, into directives: inout [Directive]) {
        guard var current = probe else { return }
        if !current.isIndirect, now >= current.timeoutAt {
            current.isIndirect = true
            // Helpers always get a full probe timeout, even when this tick ran late: a starved member must not
            // accuse others on timers that expired while it could not read its socket (Lifeguard IV-A).
            current.deadline = max(current.deadline, now + settings.probeTimeout.wholeMilliseconds)
            let helpers = randomMembers(count: settings.indirectChecks, excluding: current.target) {
                $0.status == .alive
            }
            let request = Message.indirectPing(
                .init(sequence: current.sequence, target: current.target, targetAddress: current.address, wantsNack: true))
            for helper in helpers {
                send([request], to: helper.address, over: .datagram, into: &directives)
            }
            current.expectedNacks = helpers.count
            if settings.tcpFallbackPing {
                send(
                    [.ping(.init(sequence: current.sequence, target: current.target))], to: current.address,
                    over: .stream, into: &directives)
            }
            probe = current
        }
        guard current.isIndirect, now >= current.deadline else { return }
        probe = nil
        counters.failedProbes += 1
        // Missing nacks mean this node could not hear its helpers either, so the fault is likely its own;
        // without helpers any failed probe counts against it (memberlist `probeNode`).
        awareness.apply(delta: current.expectedNacks > 0 ? current.expectedNacks - current.nacks : 1)
        if let target = members[current.target], target.startID == current.startID {
            handleSuspect(
                .init(name: target.name, startID: target.startID, incarnation: target.incarnation, from: localName),
                now: now, into: &directives)
        }
    }

    /// Answers a ping addressed to this node with an ack on the same transport.
    mutating func handlePing(_ ping: Message.Ping, from: Address, over transport: Transport, into directives: inout [Directive]) {
        guard ping.target == localName else {
            ignore(.misdirectedPing(target: ping.target), into: &directives)
            return
        }
        send([.ack(sequence: ping.sequence)], to: from, over: transport, into: &directives)
    }

    /// Pings a target for another member and remembers where to relay the ack (or nack).
    mutating func handleIndirectPing(
        _ request: Message.IndirectPing, from: Address, over transport: Transport, now: Instant,
        into directives: inout [Directive]
    ) {
        let sequence = nextSequence()
        // Nack at 80% of the probe timeout so the nack reaches the requester before its own timeout (Lifeguard
        // IV-A); memberlist waits the full timeout, and its nacks then often arrive too late to count.
        relays[sequence] = Relay(
            origin: from, transport: transport, sequence: request.sequence, wantsNack: request.wantsNack,
            deadline: now + settings.probeTimeout.wholeMilliseconds * 4 / 5)
        send([.ping(.init(sequence: sequence, target: request.target))], to: request.targetAddress, over: .datagram, into: &directives)
    }

    /// Completes this node's probe or relays an ack for a ping-req.
    mutating func handleAck(sequence: UInt32, into directives: inout [Directive]) {
        if let current = probe, current.sequence == sequence {
            probe = nil
            awareness.apply(delta: -1)
        } else if let relay = relays.removeValue(forKey: sequence) {
            send([.ack(sequence: relay.sequence)], to: relay.origin, over: relay.transport, into: &directives)
        } else {
            ignore(.unknownSequence(sequence), into: &directives)
        }
    }

    /// Counts a helper's nack for the probe in flight.
    mutating func handleNack(sequence: UInt32, into directives: inout [Directive]) {
        if var current = probe, current.sequence == sequence, current.isIndirect {
            current.nacks += 1
            probe = current
        } else {
            ignore(.unknownSequence(sequence), into: &directives)
        }
    }

    /// Gives up relayed pings whose target stayed silent and nacks them when the requester asked.
    mutating func expireRelays(now: Instant, into directives: inout [Directive]) {
        let expired = relays.filter { $0.value.deadline <= now }.keys.sorted()
        for sequence in expired {
            guard let relay = relays.removeValue(forKey: sequence), relay.wantsNack else { continue }
            send([.nack(sequence: relay.sequence)], to: relay.origin, over: relay.transport, into: &directives)
        }
    }

    /// The next live member in probe order, reshuffling after each full round; nil when there is none.
    mutating func nextProbeTarget() -> Member? {
        var checked = 0
        while checked < probeOrder.count {
            if probeIndex >= probeOrder.count {
                probeIndex = 0
                probeOrder.shuffle(using: &random)
            }
            let name = probeOrder[probeIndex]
            probeIndex += 1
            checked += 1
            if let member = members[name], !member.status.isGone {
                return member
            }
        }
        return nil
    }

    /// Up to `count` distinct other members passing `include`, chosen at random (memberlist `kRandomNodes`).
    /// Large clusters sample random positions so the cost stays near `count`, not N.
    mutating func randomMembers(
        count: Int, excluding excluded: String?, where include: (Member) -> Bool
    ) -> [Member] {
        guard count > 0 else { return [] }
        if probeOrder.count <= 4 * count {
            let candidates = probeOrder.compactMap { name -> Member? in
                guard name != excluded, let member = members[name], include(member) else { return nil }
                return member
            }
            return Array(candidates.shuffled(using: &random).prefix(count))
        }
        var chosen: [Member] = []
        var attempts = 0
        while chosen.count < count, attempts < 3 * probeOrder.count {
            attempts += 1
            let name = probeOrder[Int.random(in: 0..<probeOrder.count, using: &random)]
            guard name != excluded, !chosen.contains(where: { $0.name == name }), let member = members[name],
                include(member)
            else { continue }
            chosen.append(member)
        }
        return chosen
    }
}
