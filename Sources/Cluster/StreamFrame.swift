/// Messages on the gossip port's TCP side: fallback pings and their acks, push-pull state exchanges, and the
/// replicated admin map's sync.
///
/// Layout (protocol; append kinds, never renumber): kind (1 byte), payload length (4 bytes, big-endian), payload.
/// With a keyring the payload is sealed.
enum StreamFrame {
    enum Kind: UInt8 {
        /// A gossip frame (ping, ack, nack) sent over TCP because UDP failed or was filtered.
        case gossip = 1
        /// The dialler's full state; the answer is a `stateReply`.
        case stateRequest = 2
        /// The listener's full state, answering a `stateRequest`.
        case stateReply = 3
        /// One message of the replicated admin map's anti-entropy exchange (`SyncMessage`), either way.
        case replica = 4
    }

    /// A state holds every member (about 100 bytes each); 16 MiB covers clusters far beyond our targets and bounds
    /// what a hostile peer can make us buffer.
    static let maxPayload = 16 << 20
    static let headerSize = 5

    static func encode(_ kind: Kind, _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [kind.rawValue]
        out.reserveCapacity(headerSize + payload.count)
        let length = UInt32(payload.count)
        out += [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]
        out += payload
        return out
    }

    /// Splits complete messages off the front of `buffer`; throws on an unknown kind or an oversized length.
    static func decode(_ buffer: inout [UInt8]) throws(StreamFrameError) -> [(Kind, [UInt8])] {
        var messages: [(Kind, [UInt8])] = []
        var offset = 0
        while buffer.count - offset >= headerSize {
            guard let kind = Kind(rawValue: buffer[offset]) else { throw .unknownKind(buffer[offset]) }
            let length = Int(buffer[offset + 1]) << 24 | Int(buffer[offset + 2]) << 16 | Int(buffer[offset + 3]) << 8 | Int(buffer[offset + 4])
            guard length <= maxPayload else { throw .tooLarge(length) }
            guard buffer.count - offset - headerSize >= length else { break }
            messages.append((kind, Array(buffer[(offset + headerSize)..<(offset + headerSize + length)])))
            offset += headerSize + length
        }
        buffer.removeFirst(offset)
        return messages
    }
}

enum StreamFrameError: Error, Equatable {
    case unknownKind(UInt8)
    case tooLarge(Int)
}
