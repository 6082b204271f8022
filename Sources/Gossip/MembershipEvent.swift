/// A change the node should know about, carried by `Directive.emit`.
public enum MembershipEvent: Equatable, Sendable {
    /// A member appeared (`previous` is nil) or changed status or metadata; `member` is the new view.
    case changed(Member, previous: MemberStatus?)
    /// A member's process restarted under the same name with a greater start-up id and replaced its old self.
    case replaced(old: Member, new: Member)
    /// A dead or left member was reaped after `gossip_to_dead`; it no longer appears in `members`.
    case removed(Member)
    /// Two live processes claim one name; the one with the greater start-up id is the later one and should refuse
    /// to run (its shell leaves and exits).
    case nameConflict(NameConflict)
    /// An application update arrived from another member; the caller re-enqueues it if it should travel further.
    case application([UInt8])
    /// The application state another member sent in a push-pull exchange.
    case applicationState([UInt8], from: Address)
}

/// Two live processes under one name, as one of them saw it.
public struct NameConflict: Equatable, Sendable {
    /// The contested name.
    public var name: String
    /// This process's start-up id.
    public var localStartID: UInt64
    /// The other process's start-up id.
    public var remoteStartID: UInt64
    /// Where the other process said it is.
    public var remoteAddress: Address

    /// Whether this process started later and so must refuse to run.
    public var localIsLater: Bool { localStartID > remoteStartID }
}
