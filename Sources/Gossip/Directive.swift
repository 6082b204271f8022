/// What the machine asks its shell to do; every input of `Membership` returns these, in order.
///
/// The shell interprets them in one `apply(_:)`: it sends bytes, replaces its single timer, opens state
/// exchanges, publishes events and counts ignored input. The machine never does any of it itself.
public enum Directive: Equatable, Sendable {
    /// Send `frame` to `address`. Over `.datagram`, one UDP datagram; over `.stream`, one framed message on a TCP
    /// connection (the fallback ping, or an ack to a ping that came over a stream: reply on that connection when
    /// `address` is the `from` the shell gave the machine). The shell may encrypt the frame first.
    case send(frame: [UInt8], to: Address, over: Transport)
    /// Replace the pending timer (if any) with one that calls `tick(now:)` after `after`. There is only ever one
    /// timer, never a repeating one, because Lifeguard stretches the intervals between ticks.
    case scheduleTick(after: Duration)
    /// Open a TCP connection to `address`, write `localState(join:applicationState:)` with this `join` flag, read
    /// the peer's state and hand it to `mergeRemoteState(_:from:now:)`. A failed connection needs no report: joins
    /// retry on their own and periodic exchanges pick a new member next time.
    case exchangeState(with: Address, join: Bool)
    /// Publish a membership change or an application message to the node.
    case emit(MembershipEvent)
    /// An input was dropped; the reason is for counters and debug logs, never an error for the node.
    case ignored(IgnoreReason)
}

/// Which socket a frame travels on.
public enum Transport: Equatable, Sendable {
    /// UDP: probes, acks and gossip, at most `packet_size` bytes.
    case datagram
    /// TCP on the same port: fallback pings, and anything too large for one datagram.
    case stream
}
