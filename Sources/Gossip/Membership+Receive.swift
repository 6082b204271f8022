/// Entry point for frames from the network (memberlist `net.go` handlers).
extension Membership {
    /// Handles one received frame (a datagram, or one framed message read from a TCP connection) from `from`.
    ///
    /// Undecodable or stale input comes back as `.ignored(reason)`; nothing on the wire can make this trap.
    /// Replies to a frame that came over `.stream` go back `.stream` to `from`, so the shell may answer on the
    /// same connection.
    public mutating func receive(_ frame: [UInt8], from: Address, over transport: Transport = .datagram, now: Instant)
        -> [Directive]
    {
        var directives: [Directive] = []
        do {
            for message in try codec.messages(in: frame) {
                handle(message, from: from, over: transport, now: now, into: &directives)
            }
        } catch {
            ignore(.malformed(error), into: &directives)
        }
        finish(&directives, now: now)
        return directives
    }

    /// Dispatches one decoded message.
    mutating func handle(
        _ message: Message, from: Address, over transport: Transport, now: Instant, into directives: inout [Directive]
    ) {
        switch message {
        case .ping(let ping):
            handlePing(ping, from: from, over: transport, into: &directives)
        case .indirectPing(let request):
            handleIndirectPing(request, from: from, over: transport, now: now, into: &directives)
        case .ack(let sequence):
            handleAck(sequence: sequence, into: &directives)
        case .nack(let sequence):
            handleNack(sequence: sequence, into: &directives)
        case .alive(let alive):
            handleAlive(alive, from: from, now: now, into: &directives)
        case .suspect(let accusation):
            handleSuspect(accusation, now: now, into: &directives)
        case .dead(let accusation):
            handleDead(accusation, now: now, into: &directives)
        case .application(let payload):
            directives.append(.emit(.application(payload)))
        case .pushPull:
            ignore(.unexpectedMessage("push-pull outside a state exchange"), into: &directives)
        }
    }
}
