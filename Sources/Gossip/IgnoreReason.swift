/// Why an input was dropped. Wire input is untrusted and may be stale, so none of these is an error.
public enum IgnoreReason: Equatable, Sendable {
    /// The bytes did not decode: garbage, truncation, a wrong cluster label or an unknown version.
    case malformed(GossipError)
    /// A message arrived where the protocol does not expect it (a push-pull in a datagram, a ping in a state
    /// exchange).
    case unexpectedMessage(String)
    /// An ack or nack for a probe that already finished or never existed.
    case unknownSequence(UInt32)
    /// A ping meant for another member (a new process now at an old address).
    case misdirectedPing(target: String)
    /// News about an incarnation older than the one already known.
    case staleIncarnation(member: String)
    /// News about an earlier process of a member that has since restarted.
    case staleStartID(member: String)
    /// A suspicion or death notice about a member this node does not know.
    case unknownMember(String)
}
