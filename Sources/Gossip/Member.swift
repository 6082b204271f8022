/// One member of the cluster as this node sees it.
///
/// Identity is the name plus the start-up id: a process restarted under the same name comes back with a greater
/// `startID` and replaces its old self at once (memberlist#157, consul#6897). Within one start-up id, the
/// incarnation orders news about the member: only the member itself raises it, to refute a suspicion.
public struct Member: Equatable, Sendable {
    /// The member's name (`server.name`), unique in the cluster.
    public var name: String
    /// When the member's process started (the shell passes its wall-clock milliseconds); greater means later.
    public var startID: UInt64
    /// Where the member takes gossip and push-pull connections.
    public var address: Address
    /// Opaque bytes the member publishes about itself (admin HTTP address, version, roles), at most 512.
    public var metadata: [UInt8]
    /// The member's incarnation number; news with a higher one supersedes news with a lower one.
    public var incarnation: UInt32
    /// What this node believes about the member.
    public var status: MemberStatus
    /// When this node last changed `status` or replaced the member.
    public var statusChangedAt: Instant

    /// Creates a member record; the machine builds these from wire messages, tests and shells build them for views.
    public init(
        name: String, startID: UInt64, address: Address, metadata: [UInt8], incarnation: UInt32,
        status: MemberStatus, statusChangedAt: Instant
    ) {
        self.name = name
        self.startID = startID
        self.address = address
        self.metadata = metadata
        self.incarnation = incarnation
        self.status = status
        self.statusChangedAt = statusChangedAt
    }
}
