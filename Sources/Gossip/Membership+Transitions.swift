/// Status changes driven by alive, suspect and dead news, refutation, suspicion timeouts and reaping
/// (SWIM 4.2, Lifeguard IV-B, memberlist `state.go` `aliveNode`, `suspectNode`, `deadNode`, `refute`).
extension Membership {
    /// Applies alive news: adds new members, replaces a restarted member, revives or refreshes a known one, and
    /// refutes stale news about this node. `from` is the sender's address when the news came straight from a
    /// datagram, nil when it came from a state exchange.
    mutating func handleAlive(_ alive: Message.Alive, from: Address?, now: Instant, into directives: inout [Directive]) {
        if alive.name == localName {
            handleAliveAboutSelf(alive, from: from, now: now, into: &directives)
            return
        }
        let member = Member(
            name: alive.name, startID: alive.startID, address: alive.address, metadata: alive.metadata,
            incarnation: alive.incarnation, status: .alive, statusChangedAt: now)
        guard let existing = members[alive.name] else {
            members[alive.name] = member
            // Insert at a random position so a new member is not probed by everyone at once (memberlist `aliveNode`).
            probeOrder.append(alive.name)
            probeOrder.swapAt(probeOrder.count - 1, Int.random(in: 0..<probeOrder.count, using: &random))
            enqueueMembershipUpdate(.alive(alive), about: alive.name)
            directives.append(.emit(.changed(member, previous: nil)))
            return
        }
        if alive.startID < existing.startID {
            ignore(.staleStartID(member: alive.name), into: &directives)
        } else if alive.startID > existing.startID {
            // A restarted process replaces its old self at once instead of waiting for it to be declared dead.
            suspicions[alive.name] = nil
            reapAt[alive.name] = nil
            members[alive.name] = member
            enqueueMembershipUpdate(.alive(alive), about: alive.name)
            directives.append(.emit(.replaced(old: existing, new: member)))
        } else if alive.incarnation < existing.incarnation {
            ignore(.staleIncarnation(member: alive.name), into: &directives)
        } else if alive.incarnation > existing.incarnation {
            suspicions[alive.name] = nil
            reapAt[alive.name] = nil
            var updated = member
            if existing.status == .alive { updated.statusChangedAt = existing.statusChangedAt }
            members[alive.name] = updated
            enqueueMembershipUpdate(.alive(alive), about: alive.name)
            if existing.status != .alive || existing.metadata != alive.metadata || existing.address != alive.address {
                directives.append(.emit(.changed(updated, previous: existing.status)))
            }
        }
        // Equal incarnations are news already applied and re-gossiped; nothing to do.
    }

    /// Alive news naming this node: an echo of its own news, a view to refute, or another process with its name.
    private mutating func handleAliveAboutSelf(
        _ alive: Message.Alive, from: Address?, now: Instant, into directives: inout [Directive]
    ) {
        let me = local
        if alive.startID == me.startID {
            if alive.incarnation > me.incarnation, me.status == .alive {
                refute(alive.incarnation, into: &directives)
            }
        } else if alive.startID > me.startID || from == alive.address {
            // A later process claims this name, or the earlier one speaks for itself from its own address:
            // two live processes. Relayed news about an earlier start is only stale.
            directives.append(
                .emit(
                    .nameConflict(
                        NameConflict(
                            name: localName, localStartID: me.startID, remoteStartID: alive.startID,
                            remoteAddress: alive.address))))
            if alive.startID > me.startID {
                send([.alive(Self.alive(of: me))], to: alive.address, over: .datagram, into: &directives)
            }
        } else {
            ignore(.staleStartID(member: alive.name), into: &directives)
        }
    }

    /// Applies a suspicion: starts a Lifeguard suspicion timer for an alive member, or counts an independent
    /// confirmation for a suspect one; a suspicion of this node is refuted.
    mutating func handleSuspect(_ accusation: Message.Accusation, now: Instant, into directives: inout [Directive]) {
        if accusation.name == localName {
            refuteIfCurrent(accusation, into: &directives)
            return
        }
        guard var member = current(accusation, into: &directives) else { return }
        if var suspicion = suspicions[accusation.name] {
            if suspicion.confirm(by: accusation.from) {
                suspicions[accusation.name] = suspicion
                // Pass new confirmations on so every member's timer can shrink (memberlist `suspectNode`).
                enqueueMembershipUpdate(.suspect(accusation), about: accusation.name)
            }
            return
        }
        guard member.status == .alive else { return }
        member.status = .suspect
        member.incarnation = accusation.incarnation
        member.statusChangedAt = now
        members[accusation.name] = member
        let count = members.count
        let minimum = Suspicion.minimumTimeout(
            multiplier: settings.suspicionMultiplier, memberCount: count,
            probeInterval: settings.probeInterval.wholeMilliseconds)
        // Two members cannot confirm: the suspect and this node (memberlist `suspectNode`).
        let expected = count - 2 < settings.suspicionMultiplier - 2 ? 0 : settings.suspicionMultiplier - 2
        suspicions[accusation.name] = Suspicion(
            accuser: accusation.from, expectedConfirmations: expected, minimum: minimum,
            maximum: minimum * Int64(settings.suspicionMaxTimeoutMultiplier), now: now)
        counters.suspicions += 1
        enqueueMembershipUpdate(.suspect(accusation), about: accusation.name)
        directives.append(.emit(.changed(member, previous: .alive)))
    }

    /// Applies a death notice, or a graceful leave when the accuser is the member itself; a death notice about
    /// this node is refuted.
    mutating func handleDead(_ accusation: Message.Accusation, now: Instant, into directives: inout [Directive]) {
        if accusation.name == localName {
            refuteIfCurrent(accusation, into: &directives)
            return
        }
        guard var member = current(accusation, into: &directives) else { return }
        let isLeave = accusation.from == accusation.name
        // Dead is final for an incarnation, except that the member's own leave notice still turns it to left.
        if member.status == .left || (member.status == .dead && !isLeave) { return }
        let previous = member.status
        suspicions[accusation.name] = nil
        member.status = isLeave ? .left : .dead
        member.incarnation = accusation.incarnation
        member.statusChangedAt = now
        members[accusation.name] = member
        reapAt[accusation.name] = now + settings.gossipToTheDead.wholeMilliseconds
        enqueueMembershipUpdate(.dead(accusation), about: accusation.name)
        directives.append(.emit(.changed(member, previous: previous)))
    }

    /// The known member an accusation is about, or nil (with the reason) when it names an unknown member, an
    /// earlier process or an older incarnation.
    private mutating func current(_ accusation: Message.Accusation, into directives: inout [Directive]) -> Member? {
        guard let member = members[accusation.name] else {
            ignore(.unknownMember(accusation.name), into: &directives)
            return nil
        }
        guard accusation.startID == member.startID else {
            ignore(.staleStartID(member: accusation.name), into: &directives)
            return nil
        }
        guard accusation.incarnation >= member.incarnation else {
            ignore(.staleIncarnation(member: accusation.name), into: &directives)
            return nil
        }
        return member
    }

    /// Refutes a suspicion or death notice about this process at or above its incarnation; a leaving node lets it be.
    private mutating func refuteIfCurrent(_ accusation: Message.Accusation, into directives: inout [Directive]) {
        let me = local
        guard accusation.startID == me.startID else {
            ignore(.staleStartID(member: accusation.name), into: &directives)
            return
        }
        guard accusation.incarnation >= me.incarnation else {
            ignore(.staleIncarnation(member: accusation.name), into: &directives)
            return
        }
        if me.status == .alive {
            refute(accusation.incarnation, into: &directives)
        }
    }

    /// Gossips this node alive at an incarnation above `incarnation`. Being suspected hints that this node is the
    /// slow one, so its health score rises too (memberlist `refute`, Lifeguard IV-A).
    mutating func refute(_ incarnation: UInt32, into directives: inout [Directive]) {
        var me = local
        me.incarnation = max(me.incarnation, incarnation) + 1
        members[localName] = me
        awareness.apply(delta: 1)
        counters.refutations += 1
        enqueueMembershipUpdate(.alive(Self.alive(of: me)), about: localName)
    }

    /// Declares dead every suspect whose suspicion timed out.
    mutating func expireSuspicions(now: Instant, into directives: inout [Directive]) {
        let expired = suspicions.filter { $0.value.deadline <= now }.keys.sorted()
        for name in expired {
            guard let member = members[name] else {
                preconditionFailure("suspicion of \(name) without a member; suspicions \(suspicions.keys.sorted())")
            }
            handleDead(
                .init(name: name, startID: member.startID, incarnation: member.incarnation, from: localName),
                now: now, into: &directives)
        }
    }

    /// Forgets dead and left members after `gossip_to_dead`, so state never grows without bound (memberlist#253).
    mutating func reap(now: Instant, into directives: inout [Directive]) {
        let due = reapAt.filter { $0.value <= now }.keys.sorted()
        for name in due {
            reapAt[name] = nil
            guard let member = members.removeValue(forKey: name) else { continue }
            if let index = probeOrder.firstIndex(of: name) {
                probeOrder.remove(at: index)
                if index < probeIndex { probeIndex -= 1 }
            }
            directives.append(.emit(.removed(member)))
        }
    }

    /// The alive message describing `member`.
    static func alive(of member: Member) -> Message.Alive {
        Message.Alive(
            name: member.name, startID: member.startID, incarnation: member.incarnation, address: member.address,
            metadata: member.metadata)
    }
}
