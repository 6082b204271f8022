import WireBytes

/// Why bytes received from another node are not a valid sync message or gossip update. The shell logs it and drops
/// the update or closes the sync stream; it never reaches the map.
public enum ReplicationWireError: Error, Equatable, Sendable, CustomStringConvertible, ByteReadFailure {
    /// The input ended inside `field`.
    case truncated(field: String)
    /// `field` decoded but holds a value the protocol does not allow.
    case malformed(field: String, reason: String)
    /// `field` is larger than the protocol allows (keys, values, node names).
    case tooLarge(field: String, size: Int, limit: Int)
    /// The leading format byte names a format this build does not read.
    case unsupportedFormat(UInt8)
    /// The message type number is not one this format knows.
    case unknownMessageType(UInt8)
    /// Bytes were left over after the message.
    case trailingBytes(count: Int)

    /// A one-line explanation for logs.
    public var description: String {
        switch self {
        case .truncated(let field): "replication input truncated inside \(field)"
        case .malformed(let field, let reason): "malformed replication field \(field): \(reason)"
        case .tooLarge(let field, let size, let limit): "\(field) is \(size) bytes, the limit is \(limit)"
        case .unsupportedFormat(let format): "unsupported replication wire format \(format)"
        case .unknownMessageType(let type): "unknown replication message type \(type)"
        case .trailingBytes(let count): "\(count) unexpected bytes after the replication message"
        }
    }
}
