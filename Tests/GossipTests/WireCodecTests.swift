import Testing
import WireBytes

@testable import Gossip

/// The wire codec: every message type round-trips, and truncated, corrupted or random input throws instead of
/// trapping.
struct WireCodecTests {
    private let codec = WireCodec(label: "rivulet")
    private let address = Address(host: "10.0.0.7", port: 7001)

    private var everyMessage: [Message] {
        let alive = Message.Alive(
            name: "node1", startID: 1_700_000_000_123, incarnation: 42, address: address, metadata: [1, 2, 3])
        return [
            .ping(.init(sequence: 7, target: "node2")),
            .indirectPing(.init(sequence: UInt32.max, target: "node3", targetAddress: address, wantsNack: true)),
            .ack(sequence: 0),
            .nack(sequence: 300),
            .alive(alive),
            .suspect(.init(name: "node1", startID: 5, incarnation: 3, from: "node2")),
            .dead(.init(name: "node1", startID: 5, incarnation: 3, from: "node1")),
            .pushPull(
                .init(
                    isJoin: true, members: [.init(alive: alive, status: .suspect), .init(alive: alive, status: .left)],
                    applicationState: Array(repeating: 9, count: 300))),
            .application([0xFF, 0x00]),
        ]
    }

    /// `bytes` with its checksum recomputed, so a test reaches the field decoders instead of the checksum check.
    private func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var body = Array(bytes.dropLast(4))
        let checksum = CRC32.checksum(body, range: 0..<body.count)
        body += [UInt8(checksum >> 24), UInt8((checksum >> 16) & 0xFF), UInt8((checksum >> 8) & 0xFF), UInt8(checksum & 0xFF)]
        return body
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        let input = Array("123456789".utf8)
        #expect(CRC32.checksum(input, range: 0..<input.count) == 0xCBF4_3926)
    }

    @Test func everyMessageTypeRoundTripsAlone() throws {
        for message in everyMessage {
            let decoded = try codec.messages(in: codec.frame([WireCodec.encode(message)]))
            #expect(decoded == [message])
        }
    }

    @Test func compoundFrameRoundTripsInOrder() throws {
        let frame = codec.frame(everyMessage.map(WireCodec.encode))
        #expect(try codec.messages(in: frame) == everyMessage)
    }

    @Test func everyTruncationThrows() {
        let frame = codec.frame(everyMessage.map(WireCodec.encode))
        for length in 0..<frame.count {
            #expect(throws: GossipError.self) { try codec.messages(in: Array(frame.prefix(length))) }
        }
    }

    @Test func everyTruncationWithAValidChecksumThrows() {
        let frame = codec.frame(everyMessage.map(WireCodec.encode))
        for length in 4..<frame.count - 4 {
            #expect(throws: GossipError.self) { try codec.messages(in: resealed(Array(frame.prefix(length)) + [0, 0, 0, 0])) }
        }
    }

    @Test func flippedBitFailsTheChecksum() {
        var frame = codec.frame([WireCodec.encode(.ack(sequence: 1))])
        frame[5] ^= 0x10
        #expect {
            try codec.messages(in: frame)
        } throws: { error in
            if case GossipError.checksumMismatch = error { true } else { false }
        }
    }

    @Test func frameFromAnotherClusterIsRejected() {
        let frame = WireCodec(label: "other").frame([WireCodec.encode(.ack(sequence: 1))])
        #expect(throws: GossipError.labelMismatch(expected: "rivulet", actual: "other")) { try codec.messages(in: frame) }
    }

    @Test func unknownVersionAndTypeAreRejected() {
        var frame = codec.frame([WireCodec.encode(.ack(sequence: 1))])
        frame[1] = 2
        #expect(throws: GossipError.unsupportedVersion(2)) { try codec.messages(in: resealed(frame)) }
        frame[1] = WireCodec.version
        frame[3 + 7] = 200
        #expect(throws: GossipError.unknownMessageType(200)) { try codec.messages(in: resealed(frame)) }
    }

    @Test func oversizedMetadataIsRejected() {
        let alive = Message.Alive(
            name: "n", startID: 1, incarnation: 1, address: address, metadata: Array(repeating: 0, count: 513))
        #expect(throws: GossipError.tooLarge(field: "member metadata", size: 513, limit: 512)) {
            try codec.messages(in: codec.frame([WireCodec.encode(.alive(alive))]))
        }
    }

    @Test func randomBytesNeverCrashTheDecoder() {
        var random = GossipRandom(seed: 99)
        let valid = codec.frame(everyMessage.map(WireCodec.encode))
        for round in 0..<5000 {
            let garbage: [UInt8]
            if round % 2 == 0 {
                garbage = (0..<Int.random(in: 0..<300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                // Mutate a valid frame and fix its checksum, which drives the field decoders through bad values.
                var mutated = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    mutated[Int.random(in: 3 + 7..<mutated.count - 4, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                garbage = resealed(mutated)
            }
            _ = try? codec.messages(in: garbage)
        }
    }

    @Test func membershipIgnoresGarbageAsMalformed() throws {
        var machine = try Membership(
            name: "node1", startID: 1, address: address, random: GossipRandom(seed: 1), now: Instant(milliseconds: 0))
        let directives = machine.receive([1, 2, 3], from: address, now: Instant(milliseconds: 0))
        #expect(directives.contains(.ignored(.malformed(.truncated(field: "frame")))))
        #expect(machine.counters.ignored == 1)
    }
}
