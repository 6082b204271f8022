import WireBytes

/// A key version's wire form: key (varint length + UTF-8, at most `Record.maxKeySize` bytes), then the version.
///
/// WARNING: part of the replication wire format; change it only with a new format byte.
extension KeyVersion {
    func write(to writer: inout ByteWriter) {
        writer.writeString(key)
        version.write(to: &writer)
    }

    static func read(from reader: inout ByteReader<ReplicationWireError>) throws(ReplicationWireError) -> KeyVersion {
        let key = try reader.readString("key", limit: Record.maxKeySize)
        return KeyVersion(key: key, version: try Version.read(from: &reader))
    }
}
