import WireBytes

/// Converts sync messages to and from bytes; the shell frames each message on the TCP stream.
///
/// A message is
///
///     format (1 byte, `formatVersion`) | type (1 byte) | fields
///
/// with these types and fields (counts and lengths are LEB128 varints; records and key versions as in
/// `Record+Wire.swift` and `KeyVersion+Wire.swift`):
///
///     1 digest    count | count × (bucket: 2 bytes big-endian, ascending | value: 8 bytes big-endian, non-zero)
///     2 versions  bucket count | buckets (2 bytes each, ascending) | entry count | key versions
///     3 records   count | records
///     4 wants     count | keys
///     5 done      (nothing)
///
/// WARNING: this layout is the protocol between nodes of different builds. Never renumber or reuse a type; add new
/// types at the end. A change to an existing message's fields needs a new format byte.
public enum SyncCodec {
    /// The format this build writes and reads. Format 1: the five messages above.
    public static let formatVersion: UInt8 = 1

    /// Bytes a `.records` message costs besides its records and count: the format and type bytes.
    static let recordsHeaderSize = 2

    /// Message type numbers; append only, since they are the protocol.
    private enum MessageType: UInt8 {
        case digest = 1
        case versions = 2
        case records = 3
        case wants = 4
        case done = 5
        case more = 6
    }

    /// The bytes of `message`.
    public static func encode(_ message: SyncMessage) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(formatVersion)
        switch message {
        case .digest(let digest):
            writer.write(MessageType.digest.rawValue)
            writer.writeVarint(UInt64(digest.buckets.count))
            for bucket in digest.buckets.keys.sorted() {
                writer.writeBigEndian(bucket)
                writer.writeBigEndian(digest.buckets[bucket] ?? 0)
            }
        case .versions(let buckets, let entries):
            writer.write(MessageType.versions.rawValue)
            writer.writeVarint(UInt64(buckets.count))
            for bucket in buckets {
                writer.writeBigEndian(bucket)
            }
            writer.writeVarint(UInt64(entries.count))
            for entry in entries {
                entry.write(to: &writer)
            }
        case .records(let records):
            writer.write(MessageType.records.rawValue)
            writer.writeVarint(UInt64(records.count))
            for record in records {
                record.write(to: &writer)
            }
        case .wants(let keys):
            writer.write(MessageType.wants.rawValue)
            writer.writeVarint(UInt64(keys.count))
            for key in keys {
                writer.writeString(key)
            }
        case .done:
            writer.write(MessageType.done.rawValue)
        case .more:
            writer.write(MessageType.more.rawValue)
        }
        return writer.bytes
    }

    /// The message in `bytes`, which must hold exactly one. Throws for anything `encode` would not write: another
    /// format, an unknown type, truncation, trailing bytes, a bucket out of range or out of order, a key, value or
    /// node name over its limit, invalid UTF-8. Never traps, whatever the input.
    public static func decode(_ bytes: [UInt8]) throws(ReplicationWireError) -> SyncMessage {
        var reader = ByteReader<ReplicationWireError>(bytes)
        let format = try reader.readByte("format")
        guard format == formatVersion else { throw .unsupportedFormat(format) }
        let typeByte = try reader.readByte("message type")
        guard let type = MessageType(rawValue: typeByte) else { throw .unknownMessageType(typeByte) }
        let message: SyncMessage
        switch type {
        case .digest:
            message = .digest(try readDigest(&reader))
        case .versions:
            let buckets = try readBuckets(&reader, "versions buckets")
            let count = try reader.readCount("versions entry count")
            var entries: [KeyVersion] = []
            for _ in 0..<count {
                entries.append(try KeyVersion.read(from: &reader))
            }
            message = .versions(buckets: buckets, entries: entries)
        case .records:
            let count = try reader.readCount("record count")
            var records: [Record] = []
            for _ in 0..<count {
                records.append(try Record.read(from: &reader))
            }
            message = .records(records)
        case .wants:
            let count = try reader.readCount("wanted key count")
            var keys: [String] = []
            for _ in 0..<count {
                keys.append(try reader.readString("wanted key", limit: Record.maxKeySize))
            }
            message = .wants(keys)
        case .done:
            message = .done
        case .more:
            message = .more
        }
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        return message
    }

    /// The encoded size of a `.records` message holding records whose encodings total `recordBytes`.
    static func recordsMessageSize(count: Int, recordBytes: Int) -> Int {
        recordsHeaderSize + ByteWriter.varintSize(UInt64(count)) + recordBytes
    }

    private static func readDigest(
        _ reader: inout ByteReader<ReplicationWireError>
    ) throws(ReplicationWireError) -> Digest {
        let count = try reader.readCount("digest bucket count")
        var buckets: [UInt16: UInt64] = [:]
        var previous: UInt16?
        for _ in 0..<count {
            let bucket = try readBucket(&reader, "digest bucket", after: previous)
            let value = try reader.readUInt64("digest value")
            guard value != 0 else {
                throw .malformed(field: "digest value", reason: "zero (empty buckets are left out)")
            }
            buckets[bucket] = value
            previous = bucket
        }
        return Digest(buckets: buckets)
    }

    private static func readBuckets(
        _ reader: inout ByteReader<ReplicationWireError>, _ field: String
    ) throws(ReplicationWireError) -> [UInt16] {
        let count = try reader.readCount("\(field) count")
        var buckets: [UInt16] = []
        for _ in 0..<count {
            buckets.append(try readBucket(&reader, field, after: buckets.last))
        }
        return buckets
    }

    /// A bucket number below `Digest.bucketCount` and above `previous`: ascending order rules out duplicates and
    /// bounds a list at `bucketCount` entries.
    private static func readBucket(
        _ reader: inout ByteReader<ReplicationWireError>, _ field: String, after previous: UInt16?
    ) throws(ReplicationWireError) -> UInt16 {
        let bucket = try reader.readUInt16(field)
        guard Int(bucket) < Digest.bucketCount else {
            throw .malformed(field: field, reason: "bucket \(bucket) is not below \(Digest.bucketCount)")
        }
        if let previous, bucket <= previous {
            throw .malformed(field: field, reason: "bucket \(bucket) after \(previous); buckets must ascend")
        }
        return bucket
    }
}
