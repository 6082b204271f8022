import Foundation
import Gossip

/// What a node tells the others about itself in its gossip metadata: where its HTTP API is (forwarding dials it)
/// and which version it runs. Encoded as compact JSON so later fields can be added without breaking older nodes,
/// which ignore keys they do not know; it must stay within `GossipSettings.metadataLimit` (512 bytes).
public struct NodeMetadata: Codable, Equatable, Sendable {
    /// `host:port` of the node's HTTP listener as other nodes can dial it.
    public var http: String
    /// The rivulet version of the node.
    public var version: String
    /// The work the node takes (`cluster.roles`).
    public var roles: [String]
    /// The node's id lane (`cluster.id_lane`), so two live nodes on one lane are noticed before their ids collide.
    public var lane: UInt16?

    public init(http: String, version: String, roles: [String], lane: UInt16? = nil) {
        self.http = http
        self.version = version
        self.roles = roles
        self.lane = lane
    }

    public func encoded() -> [UInt8] {
        // Two strings always encode.
        Array(try! JSONEncoder().encode(self))
    }

    /// Decodes metadata gossiped by another node; nil for bytes that are not ours (an older or foreign node).
    public init?(decoding bytes: [UInt8]) {
        guard let value = try? JSONDecoder().decode(NodeMetadata.self, from: Data(bytes)) else { return nil }
        self = value
    }
}
