import WireBytes

/// A record's wire form, shared by sync messages and gossip updates:
///
///     key version (key, then version) | flags (1 byte: bit 0 = tombstone) | value (varint length + bytes; absent
///     for a tombstone, which has no value)
///
/// WARNING: part of the replication wire format; change it only with a new format byte. Unknown flag bits are
/// refused rather than ignored, so a future flag cannot be silently dropped by an old node.
extension Record {
    private static let tombstoneFlag: UInt8 = 1

    func write(to writer: inout ByteWriter) {
        KeyVersion(self).write(to: &writer)
        writer.write(isTombstone ? Self.tombstoneFlag : 0)
        if !isTombstone {
            writer.writeBytes(value)
        }
    }

    /// The bytes `write(to:)` appends, without writing them; lets `SyncPlan.chunks` size messages.
    var encodedSize: Int {
        let keySize = key.utf8.count
        let nodeSize = version.node.utf8.count
        var size = ByteWriter.varintSize(UInt64(keySize)) + keySize
        size += ByteWriter.varintSize(version.timestamp.wallMilliseconds)
        size += ByteWriter.varintSize(UInt64(version.timestamp.counter))
        size += ByteWriter.varintSize(UInt64(nodeSize)) + nodeSize
        size += 1
        if !isTombstone {
            size += ByteWriter.varintSize(UInt64(value.count)) + value.count
        }
        return size
    }

    static func read(from reader: inout ByteReader<ReplicationWireError>) throws(ReplicationWireError) -> Record {
        let keyVersion = try KeyVersion.read(from: &reader)
        let flags = try reader.readByte("record flags")
        guard flags & ~tombstoneFlag == 0 else {
            throw .malformed(field: "record flags", reason: "unknown flags \(flags)")
        }
        if flags & tombstoneFlag != 0 {
            return .tombstone(key: keyVersion.key, version: keyVersion.version)
        }
        let value = try reader.readBytes("record value", limit: maxValueSize)
        return Record(key: keyVersion.key, value: value, version: keyVersion.version)
    }
}
