import WireBytes

/// A version's wire form, shared by sync messages and gossip updates:
///
///     wall ms (varint) | counter (varint) | node name (varint length + UTF-8, at most 255 bytes)
///
/// WARNING: part of the replication wire format; change it only with a new format byte.
extension Version {
    /// The longest node name a version may carry, as gossip allows for member names.
    static let maxNodeSize = 255

    func write(to writer: inout ByteWriter) {
        writer.writeVarint(timestamp.wallMilliseconds)
        writer.writeVarint(UInt64(timestamp.counter))
        writer.writeString(node)
    }

    static func read(from reader: inout ByteReader<ReplicationWireError>) throws(ReplicationWireError) -> Version {
        let wall = try reader.readVarint("version wall time")
        let counter = try reader.readVarint32("version counter")
        let node = try reader.readString("version node", limit: maxNodeSize)
        return Version(timestamp: HybridTimestamp(wallMilliseconds: wall, counter: counter), node: node)
    }
}
