import WireBytes

/// Everything the Gossip module throws: wire input it cannot decode and settings it refuses.
///
/// Decoding errors never escape `Membership`'s inputs (they come back as `.ignored(.malformed(error))`); only the
/// codec's direct callers, `Membership.init`, `GossipSettings.validate()` and the application-update entry throw.
/// It is also the `ByteReadFailure` of the codec's `ByteReader`, whose `truncated`, `malformed` and `tooLarge` are
/// these cases.
public enum GossipError: Error, Equatable, Sendable, CustomStringConvertible, ByteReadFailure {
    /// The input ended inside `field`.
    case truncated(field: String)
    /// The CRC32 in the frame does not match the bytes before it.
    case checksumMismatch(expected: UInt32, actual: UInt32)
    /// The first byte is not the frame marker, so this is not a rivulet gossip frame.
    case badMagic(UInt8)
    /// The frame was written by a protocol version this build does not read.
    case unsupportedVersion(UInt8)
    /// The frame belongs to another cluster (its `cluster.name` label differs).
    case labelMismatch(expected: String, actual: String)
    /// The message type number is not one this version knows.
    case unknownMessageType(UInt8)
    /// A field decoded but holds a value the protocol does not allow.
    case malformed(field: String, reason: String)
    /// Bytes were left over after the last message.
    case trailingBytes(count: Int)
    /// A value is larger than the protocol allows (metadata, names, application updates).
    case tooLarge(field: String, size: Int, limit: Int)
    /// A setting holds a value the machine cannot run with; `key` is its YAML key under `cluster:`.
    case invalidSetting(key: String, reason: String)

    /// A one-line explanation for logs and error replies.
    public var description: String {
        switch self {
        case .truncated(let field): "gossip input truncated inside \(field)"
        case .checksumMismatch(let expected, let actual):
            "gossip checksum mismatch: frame says \(expected), bytes give \(actual)"
        case .badMagic(let byte): "not a gossip frame (first byte \(byte))"
        case .unsupportedVersion(let version): "unsupported gossip protocol version \(version)"
        case .labelMismatch(let expected, let actual):
            "gossip frame for cluster \"\(actual)\", this node is in \"\(expected)\""
        case .unknownMessageType(let type): "unknown gossip message type \(type)"
        case .malformed(let field, let reason): "malformed gossip field \(field): \(reason)"
        case .trailingBytes(let count): "\(count) unexpected bytes after the last gossip message"
        case .tooLarge(let field, let size, let limit): "\(field) is \(size) bytes, the limit is \(limit)"
        case .invalidSetting(let key, let reason): "cluster.\(key): \(reason)"
        }
    }
}
