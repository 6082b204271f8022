/// Dissemination: piggybacking queued updates on every datagram, periodic gossip rounds, and the caller's
/// application updates (SWIM 4.1, memberlist `state.go` `gossip` and `broadcast.go`).
extension Membership {
    /// Queues an opaque application update to ride on gossip, with its own share of each packet so membership
    /// news cannot starve it and it cannot starve membership news (memberlist#299). An update with the same `key`
    /// replaces a queued one. Other members get it as `.emit(.application(payload))`; it takes effect with the
    /// next packet. Throws `.tooLarge` when it cannot fit in one datagram.
    public mutating func broadcast(application payload: [UInt8], key: String? = nil) throws(GossipError) {
        let message = WireCodec.encode(.application(payload))
        let limit = settings.packetSize - codec.frameOverhead - WireCodec.partOverhead
        guard message.count <= limit else {
            throw .tooLarge(field: "application update", size: message.count, limit: limit)
        }
        applicationQueue.enqueue(message, key: key)
    }

    /// Application updates waiting for packets: a caller writing faster than gossip carries can see the backlog
    /// and catch the others up by a state sync instead of queueing more.
    public var applicationBacklog: Int { applicationQueue.items.count }

    /// Queues membership news about `name`, replacing older queued news about the same member.
    mutating func enqueueMembershipUpdate(_ message: Message, about name: String) {
        var announces: String?
        if case .alive = message { announces = name }
        membershipQueue.enqueue(WireCodec.encode(message), key: name, announces: announces)
    }

    /// Sends queued updates to `gossip_nodes` random members, including dead ones for `gossip_to_dead` so a
    /// wrongly declared member hears of it and refutes (memberlist `gossip`).
    mutating func gossip(now: Instant, into directives: inout [Directive]) {
        guard !membershipQueue.isEmpty || !applicationQueue.isEmpty else { return }
        let gossipToTheDead = settings.gossipToTheDead.wholeMilliseconds
        let targets = randomMembers(count: settings.gossipNodes, excluding: nil) {
            !$0.status.isGone || now - $0.statusChangedAt < gossipToTheDead
        }
        for target in targets {
            let parts = takeBroadcasts(budget: settings.packetSize - codec.frameOverhead, maxCount: WireCodec.maxParts, recipient: target.name)
            guard !parts.isEmpty else { break }
            emitFrame(parts, to: target.address, over: .datagram, into: &directives)
        }
    }

    /// Frames `messages` and sends them; datagrams also carry as many queued updates as fit in `packet_size`.
    mutating func send(_ messages: [Message], to address: Address, over transport: Transport, into directives: inout [Directive]) {
        var parts = messages.map(WireCodec.encode)
        if transport == .datagram {
            let used = parts.reduce(codec.frameOverhead) { $0 + $1.count + WireCodec.partOverhead }
            let recipient = members.values.first { $0.address == address }?.name
            parts += takeBroadcasts(budget: settings.packetSize - used, maxCount: WireCodec.maxParts - parts.count, recipient: recipient)
        }
        emitFrame(parts, to: address, over: transport, into: &directives)
    }

    /// Appends the `.send` for one frame and counts it.
    mutating func emitFrame(_ parts: [[UInt8]], to address: Address, over transport: Transport, into directives: inout [Directive]) {
        let frame = codec.frame(parts)
        counters.framesOut += 1
        counters.bytesOut += frame.count
        directives.append(.send(frame: frame, to: address, over: transport))
    }

    /// Takes queued updates for one packet with `budget` free bytes: application updates may use up to
    /// `application_share` of it, membership news the rest, and each kind gets what the other leaves. News that
    /// `recipient` (a member's name) is alive stays queued for others: a member that hears of its own joining only
    /// uses up transmits, and with few members that could spend them all before anyone else heard.
    mutating func takeBroadcasts(budget: Int, maxCount: Int, recipient: String? = nil) -> [[UInt8]] {
        let limit = BroadcastQueue.retransmitLimit(multiplier: settings.retransmitMultiplier, memberCount: members.count)
        let overhead = WireCodec.partOverhead
        let applicationWants = applicationQueue.queuedBytes + overhead * applicationQueue.items.count
        let reserve = min(applicationWants, Int(Double(budget) * settings.applicationShare))
        var parts = membershipQueue.take(budget: budget - reserve, overhead: overhead, limit: limit, maxCount: maxCount, recipient: recipient)
        let used = parts.reduce(0) { $0 + $1.count + overhead }
        parts += applicationQueue.take(budget: budget - used, overhead: overhead, limit: limit, maxCount: maxCount - parts.count)
        return parts
    }
}
