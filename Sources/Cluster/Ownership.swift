import Gossip
import Replication

/// Who owns what: the live member that rendezvous hashing picks among the members carrying a role. When a
/// member joins or goes, only the keys it wins or loses move, and observers hear which members came and went so
/// owners can start or stop their work. Loop-bound.
public final class Ownership: @unchecked Sendable {
    private let shell: GossipShell
    /// Candidates by role as last published; compared on every membership change.
    private var candidatesByRole: [String: [String]] = [:]
    private var observers: [(OwnershipChange) -> Void] = []

    public init(shell: GossipShell) {
        self.shell = shell
        candidatesByRole = Self.candidates(in: shell)
        shell.observeMembership { [unowned self] _ in refresh() }
    }

    /// Members that may own keys of `role`: alive or merely suspected (ownership does not flap on a suspicion that
    /// Lifeguard will likely refute), carrying the role in their metadata; sorted by name.
    public func candidates(role: String) -> [String] { candidatesByRole[role] ?? [] }

    /// The owner of `key` among the candidates for `role`; nil when no live member carries the role.
    public func owner(of key: String, role: String) -> String? {
        Rendezvous.owner(of: key, among: candidates(role: role))
    }

    /// Calls `handler` whenever the candidates of a role change.
    public func observe(_ handler: @escaping (OwnershipChange) -> Void) {
        observers.append(handler)
    }

    private func refresh() {
        let previous = candidatesByRole
        candidatesByRole = Self.candidates(in: shell)
        for role in Set(previous.keys).union(candidatesByRole.keys).sorted() {
            let change = OwnershipChange(role: role, before: previous[role] ?? [], after: candidatesByRole[role] ?? [])
            if change.before != change.after { observers.forEach { $0(change) } }
        }
    }

    private static func candidates(in shell: GossipShell) -> [String: [String]] {
        var byRole: [String: [String]] = [:]
        for member in shell.members where member.status == .alive || member.status == .suspect {
            for role in shell.metadata[member.name]?.roles ?? [] { byRole[role, default: []].append(member.name) }
        }
        return byRole.mapValues { $0.sorted() }
    }
}

/// The candidates of one role before and after a membership change.
public struct OwnershipChange: Equatable, Sendable {
    public var role: String
    public var before: [String]
    public var after: [String]

    public init(role: String, before: [String], after: [String]) {
        self.role = role
        self.before = before
        self.after = after
    }

    /// The keys among `keys` whose owner differs between `before` and `after`, with both owners.
    public func moved(_ keys: some Sequence<String>) -> [(key: String, from: String?, to: String?)] {
        keys.compactMap { key in
            let from = Rendezvous.owner(of: key, among: before)
            let to = Rendezvous.owner(of: key, among: after)
            return from == to ? nil : (key, from, to)
        }
    }
}
