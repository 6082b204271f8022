/// Running totals for the node's Prometheus gauges; they only grow.
public struct MembershipCounters: Equatable, Sendable {
    /// Probes started.
    public var probes = 0
    /// Probes that got no ack, direct or indirect, and led to a suspicion.
    public var failedProbes = 0
    /// Times this member raised its incarnation to refute a suspicion or death notice about itself.
    public var refutations = 0
    /// Suspicions this node started about other members.
    public var suspicions = 0
    /// Frames the machine produced, and their bytes (datagrams and streams; state exchanges are the shell's).
    public var framesOut = 0
    /// Bytes of the frames in `framesOut`.
    public var bytesOut = 0
    /// Inputs dropped with a `Directive.ignored`.
    public var ignored = 0

    /// Creates zeroed counters.
    public init() {}
}
