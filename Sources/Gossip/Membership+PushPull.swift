/// Full state exchange, join, leave and metadata changes (memberlist `state.go` `pushPull`, `mergeState`,
/// `memberlist.go` `Join`, `Leave`, `UpdateNode`).
extension Membership {
    /// Starts this node's membership: with seeds, asks for a state exchange with each (the shell may list this node
    /// itself; its own address is skipped) and retries with doubling waits until one succeeds; with none, starts a
    /// cluster of one. Returns the first `.scheduleTick` either way.
    public mutating func join(seeds: [Address], now: Instant) -> [Directive] {
        var directives: [Directive] = []
        let others = seeds.filter { $0 != local.address }
        if others.isEmpty {
            joinAttempt = nil
        } else {
            let wait = settings.joinRetryInterval.wholeMilliseconds
            joinAttempt = JoinAttempt(seeds: others, nextAttemptAt: now + wait, backoff: wait)
            directives += others.map { .exchangeState(with: $0, join: true) }
        }
        finish(&directives, now: now)
        return directives
    }

    /// Leaves gracefully: marks this node left at a new incarnation and gossips the notice at once. Probing and
    /// exchanges stop; gossip rounds go on, so the shell should keep ticking for one `gossip_interval` before it
    /// closes its sockets, letting more members hear it directly.
    public mutating func leave(now: Instant) -> [Directive] {
        var directives: [Directive] = []
        var me = local
        if me.status == .alive {
            me.incarnation += 1
            me.status = .left
            me.statusChangedAt = now
            members[localName] = me
            probe = nil
            joinAttempt = nil
            enqueueMembershipUpdate(
                .dead(.init(name: localName, startID: me.startID, incarnation: me.incarnation, from: localName)),
                about: localName)
            nextGossipAt = now + settings.gossipInterval.wholeMilliseconds
            gossip(now: now, into: &directives)
        }
        finish(&directives, now: now)
        return directives
    }

    /// Publishes new metadata (at most 512 bytes) at a new incarnation. Throws `.tooLarge` for larger metadata.
    public mutating func updateMetadata(_ metadata: [UInt8], now: Instant) throws(GossipError) -> [Directive] {
        try Self.checkMetadata(metadata)
        var directives: [Directive] = []
        var me = local
        me.metadata = metadata
        me.incarnation += 1
        members[localName] = me
        enqueueMembershipUpdate(.alive(Self.alive(of: me)), about: localName)
        finish(&directives, now: now)
        return directives
    }

    /// The frame a shell writes in a state exchange: every member as this node sees it, and the caller's opaque
    /// application state. Both sides of an exchange write one and merge the other's.
    public func localState(join: Bool, applicationState: [UInt8] = []) -> [UInt8] {
        codec.frame([WireCodec.encode(.pushPull(pushPullState(join: join, applicationState: applicationState)))])
    }

    /// Merges the other side's `localState` frame from a state exchange with `from`: alive entries as alive news,
    /// left entries as leaves, suspect and dead entries as suspicions (a remote death is only a suspicion here, so
    /// this node's own timer decides; memberlist `mergeState`). Completes a pending join.
    public mutating func mergeRemoteState(_ frame: [UInt8], from: Address, now: Instant) -> [Directive] {
        var directives: [Directive] = []
        do {
            let messages = try codec.messages(in: frame)
            if messages.count == 1, case .pushPull(let state) = messages[0] {
                merge(state, from: from, now: now, into: &directives)
            } else {
                ignore(.unexpectedMessage("a state exchange carried something other than one push-pull"), into: &directives)
            }
        } catch {
            ignore(.malformed(error), into: &directives)
        }
        finish(&directives, now: now)
        return directives
    }

    /// This node's member list for a state exchange, sorted by name so the frame is reproducible.
    func pushPullState(join: Bool, applicationState: [UInt8]) -> Message.PushPull {
        let entries = members.keys.sorted().compactMap { name in
            members[name].map { Message.PushPull.Entry(alive: Self.alive(of: $0), status: $0.status) }
        }
        return Message.PushPull(isJoin: join, members: entries, applicationState: applicationState)
    }

    /// Applies a decoded remote state.
    mutating func merge(_ state: Message.PushPull, from: Address, now: Instant, into directives: inout [Directive]) {
        joinAttempt = nil
        for entry in state.members {
            let alive = entry.alive
            switch entry.status {
            case .alive:
                handleAlive(alive, from: nil, now: now, into: &directives)
            case .left:
                handleDead(
                    .init(name: alive.name, startID: alive.startID, incarnation: alive.incarnation, from: alive.name),
                    now: now, into: &directives)
            case .suspect, .dead:
                handleSuspect(
                    .init(name: alive.name, startID: alive.startID, incarnation: alive.incarnation, from: localName),
                    now: now, into: &directives)
            }
        }
        if !state.applicationState.isEmpty {
            directives.append(.emit(.applicationState(state.applicationState, from: from)))
        }
    }

    /// Asks for a state exchange with one random live member and, while any member is dead but not yet reaped,
    /// with one random dead member too, then sets the next exchange `GossipSettings.scaledPushPullInterval` away.
    /// memberlist only exchanges with live members, so two sides of a healed partition that declared each other dead
    /// never meet again; the dead-member exchange is Serf's reconnect, which lets them refute and merge.
    mutating func startPeriodicExchange(now: Instant, into directives: inout [Directive]) {
        nextPushPullAt = now
            + GossipSettings.pushPullScale(interval: settings.pushPullInterval.wholeMilliseconds, memberCount: members.count)
        for status in [MemberStatus.alive, .dead] {
            if let peer = randomMembers(count: 1, excluding: nil, where: { $0.status == status }).first {
                directives.append(.exchangeState(with: peer.address, join: false))
            }
        }
    }

    /// Asks the seeds again when the wait is over, doubling the wait up to the push-pull interval (or 30 s).
    mutating func retryJoin(now: Instant, into directives: inout [Directive]) {
        guard var attempt = joinAttempt, now >= attempt.nextAttemptAt else { return }
        directives += attempt.seeds.map { .exchangeState(with: $0, join: true) }
        let pushPull = settings.pushPullInterval.wholeMilliseconds
        attempt.backoff = min(attempt.backoff * 2, pushPull > 0 ? pushPull : 30_000)
        attempt.nextAttemptAt = now + attempt.backoff
        joinAttempt = attempt
    }
}
