import WireBytes

/// Converts between messages and frames; no I/O, no state beyond the cluster label.
///
/// A frame, for one datagram or one stream message, is
///
///     magic 0xA7 | version | label length (1 byte) | label | body | CRC-32 (4 bytes, big-endian, over all before)
///
/// and the body is one message (its type byte, then its fields) or a compound: type 9, a count byte, and for each
/// part a 2-byte big-endian length and one message. Integers in messages are LEB128 varints, strings and byte
/// fields are varint-length-prefixed. Encryption (AES-GCM with the label as associated data) wraps whole frames
/// in the shell.
///
/// WARNING: this layout is the protocol. Changing it, or any message's field order, needs a new `version` that
/// old members reject cleanly; new message types are appended to `MessageType` instead.
struct WireCodec: Sendable {
    /// The first byte of every frame; anything else is not gossip.
    static let magic: UInt8 = 0xA7
    /// The protocol version this build writes and reads. Version 1: every `MessageType` up to `compound`.
    static let version: UInt8 = 1
    /// Bytes each compound part costs besides its message: the 2-byte length prefix.
    static let partOverhead = 2
    /// The most parts in one compound (the count is one byte).
    static let maxParts = 255

    /// The cluster name written into every frame and required of every frame read.
    let label: String

    /// Bytes a compound frame costs besides its parts: header, label, compound type and count, checksum.
    var frameOverhead: Int { 3 + label.utf8.count + 2 + 4 }

    /// A frame holding `parts` (each an encoded message): a plain frame for one part, a compound for several.
    func frame(_ parts: [[UInt8]]) -> [UInt8] {
        precondition(!parts.isEmpty && parts.count <= Self.maxParts, "frame with \(parts.count) parts")
        var writer = ByteWriter()
        writer.write(Self.magic)
        writer.write(Self.version)
        writer.write(UInt8(label.utf8.count))
        writer.writeRaw(Array(label.utf8))
        if parts.count == 1 {
            writer.writeRaw(parts[0])
        } else {
            writer.write(MessageType.compound.rawValue)
            writer.write(UInt8(parts.count))
            for part in parts {
                precondition(part.count <= Int(UInt16.max), "compound part of \(part.count) bytes")
                writer.writeBigEndian(UInt16(part.count))
                writer.writeRaw(part)
            }
        }
        var bytes = writer.bytes
        let checksum = CRC32.checksum(bytes, range: 0..<bytes.count)
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8((checksum >> UInt32(shift)) & 0xFF))
        }
        return bytes
    }

    /// The messages in `frame`, in order. Throws `GossipError` for anything not written by `frame` with this label
    /// and version: truncation, a bad checksum, an unknown type, invalid fields or trailing bytes.
    func messages(in frame: [UInt8]) throws(GossipError) -> [Message] {
        guard frame.count >= 3 + 4 else { throw .truncated(field: "frame") }
        let bodyEnd = frame.count - 4
        var trailer = ByteReader<GossipError>(frame, range: bodyEnd..<frame.count)
        let expected = try trailer.readUInt32("checksum")
        let actual = CRC32.checksum(frame, range: 0..<bodyEnd)
        guard expected == actual else { throw .checksumMismatch(expected: expected, actual: actual) }

        var reader = ByteReader<GossipError>(frame, range: 0..<bodyEnd)
        let magic = try reader.readByte("magic")
        guard magic == Self.magic else { throw .badMagic(magic) }
        let version = try reader.readByte("version")
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let labelBytes = try reader.readRaw(Int(try reader.readByte("label length")), "label")
        let frameLabel = String(decoding: labelBytes, as: UTF8.self)
        guard frameLabel == label else { throw .labelMismatch(expected: label, actual: frameLabel) }

        var messages: [Message] = []
        if frame[reader.offset..<bodyEnd].first == MessageType.compound.rawValue {
            _ = try reader.readByte("compound type")  // already checked above
            let count = Int(try reader.readByte("compound count"))
            for _ in 0..<count {
                let length = Int(try reader.readUInt16("part length"))
                guard length <= reader.remaining else { throw .truncated(field: "compound part") }
                let start = reader.offset
                _ = try reader.readRaw(length, "compound part")
                var part = ByteReader<GossipError>(frame, range: start..<start + length)
                messages.append(try Self.decodeMessage(&part))
            }
        } else {
            messages.append(try Self.decodeMessage(&reader))
        }
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        return messages
    }

    /// One message's bytes: its type number, then its fields.
    static func encode(_ message: Message) -> [UInt8] {
        var writer = ByteWriter()
        switch message {
        case .ping(let ping):
            writer.write(MessageType.ping.rawValue)
            writer.writeVarint(UInt64(ping.sequence))
            writer.writeString(ping.target)
        case .indirectPing(let request):
            writer.write(MessageType.indirectPing.rawValue)
            writer.writeVarint(UInt64(request.sequence))
            writer.writeString(request.target)
            write(request.targetAddress, to: &writer)
            writer.write(request.wantsNack)
        case .ack(let sequence):
            writer.write(MessageType.ack.rawValue)
            writer.writeVarint(UInt64(sequence))
        case .nack(let sequence):
            writer.write(MessageType.nack.rawValue)
            writer.writeVarint(UInt64(sequence))
        case .alive(let alive):
            writer.write(MessageType.alive.rawValue)
            write(alive, to: &writer)
        case .suspect(let accusation):
            writer.write(MessageType.suspect.rawValue)
            write(accusation, to: &writer)
        case .dead(let accusation):
            writer.write(MessageType.dead.rawValue)
            write(accusation, to: &writer)
        case .pushPull(let state):
            writer.write(MessageType.pushPull.rawValue)
            writer.write(state.isJoin)
            writer.writeVarint(UInt64(state.members.count))
            for entry in state.members {
                write(entry.alive, to: &writer)
                writer.write(entry.status.rawValue)
            }
            writer.writeBytes(state.applicationState)
        case .application(let payload):
            writer.write(MessageType.application.rawValue)
            writer.writeBytes(payload)
        }
        return writer.bytes
    }

    /// Decodes one message that must end exactly where `reader` ends.
    private static func decodeMessage(_ reader: inout ByteReader<GossipError>) throws(GossipError) -> Message {
        let typeByte = try reader.readByte("message type")
        guard let type = MessageType(rawValue: typeByte) else { throw .unknownMessageType(typeByte) }
        let message: Message
        switch type {
        case .ping:
            message = .ping(.init(sequence: try reader.readVarint32("ping sequence"), target: try reader.readString("ping target")))
        case .indirectPing:
            message = .indirectPing(
                .init(
                    sequence: try reader.readVarint32("ping-req sequence"),
                    target: try reader.readString("ping-req target"),
                    targetAddress: try readAddress(&reader),
                    wantsNack: try reader.readBool("ping-req nack flag")))
        case .ack:
            message = .ack(sequence: try reader.readVarint32("ack sequence"))
        case .nack:
            message = .nack(sequence: try reader.readVarint32("nack sequence"))
        case .alive:
            message = .alive(try readAlive(&reader))
        case .suspect:
            message = .suspect(try readAccusation(&reader))
        case .dead:
            message = .dead(try readAccusation(&reader))
        case .pushPull:
            let isJoin = try reader.readBool("push-pull join flag")
            let count = try reader.readCount("push-pull member count")
            var members: [Message.PushPull.Entry] = []
            members.reserveCapacity(count)
            for _ in 0..<count {
                let alive = try readAlive(&reader)
                let statusByte = try reader.readByte("member status")
                guard let status = MemberStatus(rawValue: statusByte) else {
                    throw .malformed(field: "member status", reason: "unknown status \(statusByte)")
                }
                members.append(.init(alive: alive, status: status))
            }
            message = .pushPull(
                .init(isJoin: isJoin, members: members, applicationState: try reader.readBytes("application state")))
        case .application:
            message = .application(try reader.readBytes("application update"))
        case .compound:
            throw .malformed(field: "message type", reason: "compound inside compound")
        }
        guard reader.remaining == 0 else { throw .trailingBytes(count: reader.remaining) }
        return message
    }

    private static func write(_ address: Address, to writer: inout ByteWriter) {
        writer.writeString(address.host)
        writer.writeBigEndian(address.port)
    }

    private static func readAddress(_ reader: inout ByteReader<GossipError>) throws(GossipError) -> Address {
        Address(host: try reader.readString("address host"), port: try reader.readUInt16("address port"))
    }

    private static func write(_ alive: Message.Alive, to writer: inout ByteWriter) {
        writer.writeString(alive.name)
        writer.writeVarint(alive.startID)
        writer.writeVarint(UInt64(alive.incarnation))
        write(alive.address, to: &writer)
        writer.writeBytes(alive.metadata)
    }

    private static func readAlive(_ reader: inout ByteReader<GossipError>) throws(GossipError) -> Message.Alive {
        Message.Alive(
            name: try readName(&reader, "member name"),
            startID: try reader.readVarint("member start id"),
            incarnation: try reader.readVarint32("member incarnation"),
            address: try readAddress(&reader),
            metadata: try reader.readBytes("member metadata", limit: GossipSettings.metadataLimit))
    }

    private static func write(_ accusation: Message.Accusation, to writer: inout ByteWriter) {
        writer.writeString(accusation.name)
        writer.writeVarint(accusation.startID)
        writer.writeVarint(UInt64(accusation.incarnation))
        writer.writeString(accusation.from)
    }

    private static func readAccusation(_ reader: inout ByteReader<GossipError>) throws(GossipError) -> Message.Accusation {
        Message.Accusation(
            name: try readName(&reader, "member name"),
            startID: try reader.readVarint("member start id"),
            incarnation: try reader.readVarint32("member incarnation"),
            from: try readName(&reader, "accuser name"))
    }

    private static func readName(_ reader: inout ByteReader<GossipError>, _ field: String) throws(GossipError) -> String {
        let name = try reader.readString(field)
        guard !name.isEmpty else { throw .malformed(field: field, reason: "empty name") }
        return name
    }
}
