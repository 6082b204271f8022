import WireBytes

/// What a write puts on gossip packets (UDP, about 1 KB each): the record itself when it is small, else a notice
/// that makes receivers fetch the record from its writer over TCP. Most admin records fit, so most writes reach
/// every node within a few gossip rounds without any stream; the periodic sync repairs whatever is lost.
///
/// Encoded as
///
///     format (1 byte, `formatVersion`) | type (1 byte) | fields
///     1 record  record (as in `Record+Wire.swift`)
///     2 notice  key version | writer node name (varint length + UTF-8, at most 255 bytes)
///
/// WARNING: this layout is the protocol. Never renumber or reuse a type; a change to fields needs a new format byte.
public enum Update: Equatable, Sendable {
    /// The whole record, to merge.
    case record(Record)
    /// A record too large for a packet: its key and version, and `from`, the writer's node name, to fetch it from.
    case notice(KeyVersion, from: String)

    /// The format this build writes and reads. Format 1: `record` and `notice`.
    public static let formatVersion: UInt8 = 1

    /// Type numbers; append only, since they are the protocol.
    private enum UpdateType: UInt8 {
        case record = 1
        case notice = 2
    }

    /// The bytes of `update`, for a gossip application payload.
    public static func encode(_ update: Update) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(formatVersion)
        switch update {
        case .record(let record):
            writer.write(UpdateType.record.rawValue)
            record.write(to: &writer)
        case .notice(let keyVersion, let node):
            writer.write(UpdateType.notice.rawValue)
            keyVersion.write(to: &writer)
            writer.writeString(node)
        }
        return writer.bytes
    }

    /// The update in `bytes`, which must hold exactly one. Throws for anything `encode` would not write; never traps.
    public static func decode(_ bytes: [UInt8]) throws(ReplicationWireError) -> Update {
        var reader = ByteReader<ReplicationWireError>(bytes)
        let format = try reader.readByte("format")
        guard format == formatVersion else { throw .unsupportedFormat(format) }
        let typeByte = try reader.readByte("update type")
        guard let type = UpdateType(rawValue: typeByte) else { throw .unknownMessageType(typeByte) }
        let update: Update
        switch type {
        case .record:
            update = .record(try Record.read(from: &reader))
        case .notice:
            let keyVersion = try KeyVersion.read(from: &reader)
            let node = try reader.readString("notice node", limit: Version.maxNodeSize)
            guard !node.isEmpty else { throw .malformed(field: "notice node", reason: "empty name") }
            update = .notice(keyVersion, from: node)
        }
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        return update
    }

    /// `.record` if its encoding fits `maxBytes`, else `.notice`.
    /// `node` is this node's name, which receivers fetch the record from.
    public static func forGossip(_ record: Record, from node: String, maxBytes: Int) -> Update {
        let whole = Update.record(record)
        return encode(whole).count <= maxBytes ? whole : .notice(KeyVersion(record), from: node)
    }
}
