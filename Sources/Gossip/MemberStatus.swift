/// What the cluster believes about a member, in SWIM's order of precedence.
///
/// Legal transitions: alive → suspect (a probe failed) → dead (the suspicion timed out), suspect → alive (the member
/// refuted with a higher incarnation), alive or suspect → left (graceful leave), dead → alive or left only with a
/// higher incarnation, dead or left → removed after `gossip_to_dead`. For one incarnation the order is
/// alive < suspect < dead < left, and news for a higher incarnation beats any news for a lower one, so
/// alive(N) < suspect(N) < alive(N+1). The raw values are wire numbers: append only.
public enum MemberStatus: UInt8, Comparable, Sendable, CustomStringConvertible {
    /// Answering probes, or refuted its last suspicion.
    case alive = 0
    /// Missed a probe; still serving until its suspicion times out.
    case suspect = 1
    /// Its suspicion timed out; kept for `gossip_to_dead` so the news spreads, then reaped.
    case dead = 2
    /// Left gracefully; kept for `gossip_to_dead`, then reaped.
    case left = 3

    /// Orders statuses of one incarnation by precedence.
    public static func < (lhs: MemberStatus, rhs: MemberStatus) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// Whether the member is gone (dead or left) and only kept so the news spreads.
    public var isGone: Bool { self == .dead || self == .left }

    /// The lowercase name `/api/v1/cluster` reports: `alive`, `suspect`, `dead` or `left`.
    public var description: String {
        switch self {
        case .alive: "alive"
        case .suspect: "suspect"
        case .dead: "dead"
        case .left: "left"
        }
    }
}
