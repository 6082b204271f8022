import Gossip
import Replication

/// How the map spreads: each local write rides on gossip at once (the record, or a notice for records too large
/// for a packet), and a periodic anti-entropy sync with one random member repairs whatever gossip missed. The
/// sync exchanges a digest first, so its cost follows what differs, not the map's size (`SyncPlan`).
extension ReplicatedState {
    /// Bytes of records per sync message: bounds one message's memory on both sides.
    static let chunkBytes = 1 << 20
    /// A sync session's deadline, after which its stream closes whatever state it is in.
    static let streamTimeout: UInt64 = 30_000
    /// How long dialling a member may take before a session counts as stuck (the stream deadline starts only once
    /// connected).
    static let connectTimeout: UInt64 = 10_000
    /// Queued gossip updates beyond which writes stop queueing and the node syncs with every member instead:
    /// gossip carries a few dozen updates a second, a sync carries thousands.
    static let gossipBacklogLimit = 64
    /// How long a burst of writes may gather before that catch-up sync starts.
    static let catchUpDelay: UInt64 = 100

    func startReplication() {
        shell.onApplicationUpdate = { [unowned self] payload in receive(update: payload) }
        shell.onReplicaStream = { [unowned self] stream, first in respond(on: stream, first: first) }
        shell.observeMembership { [unowned self] event in membershipChanged(event) }
        // Members the shell met before the map was loaded get no event; sync with them now.
        otherLiveMembers.forEach(sync(with:))
        scheduleSync()
        schedulePurge()
    }

    private var otherLiveMembers: [Member] {
        shell.members.filter { $0.name != name && $0.status == .alive }
    }

    // MARK: Gossip

    /// Puts a local write on gossip, or, when gossip is backed up, leaves it to a catch-up sync.
    func spread(_ record: Record) {
        let update = Update.forGossip(record, from: name, maxBytes: shell.settings.packetSize / 2)
        guard shell.applicationBacklog < Self.gossipBacklogLimit, (try? shell.broadcast(Update.encode(update), key: record.key)) != nil else {
            return scheduleCatchUp()
        }
    }

    private func receive(update payload: [UInt8]) {
        updatesReceived.increment()
        let update: Update
        do {
            update = try Update.decode(payload)
        } catch {
            return logger.debug("ignoring malformed state update: \(error)")
        }
        switch update {
        case .record(let record):
            // News this node had not applied travels on (Serf's user events spread the same way); the queue's
            // transmit limit ends it.
            if !merge(remote: [record]).isEmpty { relay(payload, key: record.key) }
        case .notice(let entry, let origin):
            guard map[entry.key].map({ $0.version < entry.version }) ?? true else { return }
            relay(payload, key: entry.key)
            if let member = shell.members.first(where: { $0.name == origin && $0.status == .alive }) {
                session(with: member, opening: .wants([entry.key]))
            }
        }
    }

    private func relay(_ payload: [UInt8], key: String) {
        guard shell.applicationBacklog < Self.gossipBacklogLimit else { return }
        try? shell.broadcast(payload, key: key)
    }

    private func scheduleCatchUp() {
        guard !catchUpPending, !closed else { return }
        catchUpPending = true
        catchUpTimer.start(after: Self.catchUpDelay) { [unowned self] in
            catchUpPending = false
            otherLiveMembers.forEach(sync(with:))
        }
    }

    // MARK: Timers and membership

    private func scheduleSync() {
        guard !closed else { return }
        let interval = max(1, settings.syncInterval.milliseconds)
        // Jitter so nodes started together do not sync in lockstep.
        syncTimer.start(after: interval / 2 + UInt64.random(in: 0...interval)) { [unowned self] in
            if let member = otherLiveMembers.randomElement() { sync(with: member) }
            scheduleSync()
        }
    }

    private func schedulePurge() {
        guard !closed else { return }
        // Often enough that expired tombstones do not linger in digests, which nodes would then keep disagreeing on.
        let every = min(max(1000, settings.tombstoneTTL.milliseconds / 100), 60_000)
        purgeTimer.start(after: every) { [unowned self] in
            let wall = wallClock()
            let ttl = settings.tombstoneTTL.milliseconds
            let purged = map.purgeTombstones(writtenBefore: wall > ttl ? wall - ttl : 0)
            if !purged.isEmpty {
                logger.debug("purging \(purged.count) expired tombstones")
                Task.immediate(executorPreference: loop) { [self] in
                    do { try await store.delete(purged) } catch { logger.error("cannot purge tombstones: \(error)") }
                }
            }
            schedulePurge()
        }
    }

    /// A member that appeared or came back gets a sync at once: a restarted node catches up without waiting for
    /// the next interval, and writes made on either side of a healed partition cross.
    private func membershipChanged(_ event: MembershipEvent) {
        switch event {
        case .changed(let member, let previous) where member.status == .alive && (previous == nil || previous!.isGone):
            sync(with: member)
        case .replaced(_, let member) where member.status == .alive:
            sync(with: member)
        default:
            break
        }
    }

    // MARK: Sessions

    /// A full anti-entropy exchange with `member`: digest, versions of what differs, then records both ways.
    func sync(with member: Member) {
        session(with: member, opening: .digest(map.digest))
    }

    /// The dialling side of an exchange; `.wants` alone fetches named records (after a notice). One session per
    /// member at a time: a sync asked for meanwhile runs when it ends, and keys wanted meanwhile are fetched then.
    private func session(with member: Member, opening: SyncMessage) {
        guard !closed, member.name != name else { return }
        if var open = sessions[member.name] {
            // A name that never resolves or a connect that hangs never calls back; such a session is given up
            // once it is older than any stream may live, so it cannot block this member for good.
            if loop.now - open.startedAt < Self.streamTimeout + Self.connectTimeout {
                switch opening {
                case .digest: open.resync = true
                case .wants(let keys): open.wanted.formUnion(keys)
                default: break
                }
                sessions[member.name] = open
                return
            }
            sessions[member.name] = nil
            syncFailures += 1
            logger.debug("state sync with \(member.name) given up: no end within \(Self.streamTimeout + Self.connectTimeout) ms")
        }
        nextSessionID += 1
        let id = nextSessionID
        sessions[member.name] = SyncSessionSlot(id: id, startedAt: loop.now)
        shell.openReplicaStream(to: member.address, timeout: Self.streamTimeout) { [unowned self] stream in
            guard let stream else { return finishSession(with: member.name, id: id, failure: "cannot connect") }
            var finished = false
            stream.tcp.onClose { [unowned self] in
                if !finished { finishSession(with: member.name, id: id, failure: "stream closed early") }
            }
            stream.onRejected = { [unowned self] reason in logger.debug("state sync with \(member.name): \(reason)") }
            stream.onMessage = { [unowned self, unowned stream] kind, payload in
                guard kind == .replica, let message = try? SyncCodec.decode(payload) else { return stream.close() }
                switch message {
                case .versions(let buckets, let entries):
                    let (push, wants) = SyncPlan.exchange(buckets: buckets, remote: entries, local: map)
                    send(push, on: stream)
                    transmit(.wants(wants), on: stream)
                case .records(let records):
                    syncedRecords.increment(by: merge(remote: records).count)
                case .done:
                    finished = true
                    finishSession(with: member.name, id: id, failure: nil)
                    stream.close()
                case .more:
                    sessions[member.name]?.resync = true
                case .digest, .wants:
                    stream.close()
                }
            }
            transmit(opening, on: stream)
        }
    }

    /// Ends session `id` with `member` (a late end of a session already given up is ignored) and starts what was
    /// asked for while it ran: a full sync covers wanted keys too.
    private func finishSession(with member: String, id: UInt64, failure: String?) {
        guard let slot = sessions[member], slot.id == id else { return }
        sessions[member] = nil
        if let failure {
            syncFailures += 1
            logger.debug("state sync with \(member) failed: \(failure)")
        } else {
            syncCount += 1
        }
        guard let again = otherLiveMembers.first(where: { $0.name == member }) else { return }
        if slot.resync {
            sync(with: again)
        } else if !slot.wanted.isEmpty {
            session(with: again, opening: .wants(slot.wanted.sorted()))
        }
    }

    /// The listening side: answers a digest with versions, takes records, and answers wants with records and
    /// `.done`.
    private func respond(on stream: GossipStream, first: [UInt8]) {
        stream.onMessage = { [unowned self, unowned stream] kind, payload in answer(payload, kind: kind, on: stream) }
        answer(first, kind: .replica, on: stream)
    }

    private func answer(_ payload: [UInt8], kind: StreamFrame.Kind, on stream: GossipStream) {
        guard kind == .replica, let message = try? SyncCodec.decode(payload) else { return stream.close() }
        switch message {
        case .digest(let digest):
            for message in SyncPlan.versions(answering: digest, from: map) { transmit(message, on: stream) }
        case .records(let records):
            syncedRecords.increment(by: merge(remote: records).count)
        case .wants(let keys):
            send(SyncPlan.records(wanted: keys, from: map), on: stream)
            transmit(.done, on: stream)
        case .versions, .done, .more:
            stream.close()
        }
    }

    private func send(_ records: [Record], on stream: GossipStream) {
        for chunk in SyncPlan.chunks(records, maxBytes: Self.chunkBytes) {
            transmit(.records(chunk), on: stream)
        }
    }

    private func transmit(_ message: SyncMessage, on stream: GossipStream) {
        let bytes = SyncCodec.encode(message)
        syncBytes.increment(by: bytes.count)
        stream.send(.replica, bytes)
    }
}
