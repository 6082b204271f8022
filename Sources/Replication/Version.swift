/// The version of one record: when it was written, by the writer's hybrid clock, and by which node. The node name
/// breaks ties between two writes with equal timestamps, so every node picks the same winner.
public struct Version: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var timestamp: HybridTimestamp
    /// The writer's `server.name`.
    public var node: String

    public init(timestamp: HybridTimestamp, node: String) {
        self.timestamp = timestamp
        self.node = node
    }

    public static func < (lhs: Version, rhs: Version) -> Bool {
        lhs.timestamp != rhs.timestamp ? lhs.timestamp < rhs.timestamp : lhs.node < rhs.node
    }

    /// `"<ms>.<counter>@<node>"`.
    public var description: String { "\(timestamp)@\(node)" }
}
