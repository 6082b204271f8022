import Replication
import Testing

/// The sync codec: every message round-trips, and truncated, corrupted or random input throws instead of trapping.
@Suite struct SyncCodecTests {
    static let everyMessage: [SyncMessage] = [
        .digest(Digest()),
        .digest(Digest(buckets: [0: 1, 17: .max, 1_023: 0x0123_4567_89AB_CDEF])),
        .versions(buckets: [], entries: []),
        .versions(
            buckets: [3, 900],
            entries: [
                KeyVersion(key: "connector/1", version: Fixture.version(1_735_689_600_123, 7, "node2")),
                KeyVersion(key: "", version: Fixture.version(0, 0, "")),
            ]),
        .records([]),
        .records([
            Fixture.put("connector/17", "{\"name\":\"crm\"}", wall: .max, counter: .max, node: "nœud-été"),
            Fixture.delete("connector/18", wall: 5, node: "node3"),
            Fixture.sized(String(repeating: "k", count: Record.maxKeySize), valueBytes: Record.maxValueSize),
        ]),
        .wants([]),
        .wants(["connector/1", "🚀"]),
        .done,
        .more,
    ]

    @Test func everyMessageRoundTrips() throws {
        for message in Self.everyMessage {
            let encoded = SyncCodec.encode(message)
            #expect(encoded.first == SyncCodec.formatVersion)
            #expect(try SyncCodec.decode(encoded) == message)
        }
    }

    @Test func randomMapsRoundTripAsDigestsAndRecords() throws {
        var random = SeededGenerator(seed: 30)
        for _ in 0..<50 {
            let map = Fixture.map(Fixture.randomOperations(count: 200, keyCount: 5_000, using: &random))
            #expect(try SyncCodec.decode(SyncCodec.encode(.digest(map.digest))) == .digest(map.digest))
            let records = Array(map.allRecords)
            #expect(try SyncCodec.decode(SyncCodec.encode(.records(records))) == .records(records))
        }
    }

    @Test func everyTruncationThrows() {
        for message in Self.everyMessage {
            let encoded = SyncCodec.encode(message)
            // For the 64 KB record, cuts in its header and near its end stand for the thousands in between.
            let cuts = encoded.count > 2_000
                ? Array(0..<1_000) + Array(encoded.count - 1_000..<encoded.count)
                : Array(0..<encoded.count)
            for cut in cuts {
                #expect(throws: ReplicationWireError.self) { try SyncCodec.decode(Array(encoded[0..<cut])) }
            }
        }
    }

    @Test func trailingBytesThrow() {
        #expect(throws: ReplicationWireError.trailingBytes(count: 1)) {
            try SyncCodec.decode(SyncCodec.encode(.done) + [0])
        }
    }

    @Test func invalidFieldsAreRefused() {
        let format = SyncCodec.formatVersion
        let cases: [(bytes: [UInt8], error: ReplicationWireError)] = [
            ([], .truncated(field: "format")),
            ([9, 5], .unsupportedFormat(9)),
            ([format, 0], .unknownMessageType(0)),
            ([format, 99], .unknownMessageType(99)),
            // A bucket past the last one, buckets out of order or repeated, a zero digest value.
            ([format, 1, 1, 0x04, 0x00] + [UInt8](repeating: 1, count: 8),
             .malformed(field: "digest bucket", reason: "bucket 1024 is not below 1024")),
            ([format, 2, 2, 0, 5, 0, 5, 0],
             .malformed(field: "versions buckets", reason: "bucket 5 after 5; buckets must ascend")),
            ([format, 1, 1, 0, 1] + [UInt8](repeating: 0, count: 8),
             .malformed(field: "digest value", reason: "zero (empty buckets are left out)")),
            // A count larger than the bytes left, and a varint longer than 64 bits.
            ([format, 4, 50, 1, 0x61], .truncated(field: "wanted key count")),
            ([format, 3] + [UInt8](repeating: 0xFF, count: 10) + [1],
             .malformed(field: "record count", reason: "varint longer than 64 bits")),
            // Invalid UTF-8 in a key, an unknown record flag, a counter over 32 bits.
            ([format, 4, 1, 2, 0xC3, 0x28], .malformed(field: "wanted key", reason: "not UTF-8")),
            ([format, 3, 1, 1, 0x61, 1, 0, 0, 4],
             .malformed(field: "record flags", reason: "unknown flags 4")),
            ([format, 3, 1, 1, 0x61, 1, 0x80, 0x80, 0x80, 0x80, 0x10, 0],
             .malformed(field: "version counter", reason: "4294967296 exceeds 32 bits")),
        ]
        for (bytes, error) in cases {
            #expect(throws: error) { try SyncCodec.decode(bytes) }
        }
    }

    @Test func oversizedKeysValuesAndNodeNamesAreRefused() {
        let longKey = String(repeating: "k", count: Record.maxKeySize + 1)
        #expect(throws: ReplicationWireError.tooLarge(field: "wanted key", size: 513, limit: Record.maxKeySize)) {
            try SyncCodec.decode(SyncCodec.encode(.wants([longKey])))
        }
        let bigValue = Fixture.sized("k", valueBytes: Record.maxValueSize + 1)
        let valueTooLarge = ReplicationWireError.tooLarge(
            field: "record value", size: 65_537, limit: Record.maxValueSize)
        #expect(throws: valueTooLarge) {
            try SyncCodec.decode(SyncCodec.encode(.records([bigValue])))
        }
        let longNode = KeyVersion(key: "k", version: Fixture.version(1, 0, String(repeating: "n", count: 256)))
        #expect(throws: ReplicationWireError.tooLarge(field: "version node", size: 256, limit: 255)) {
            try SyncCodec.decode(SyncCodec.encode(.versions(buckets: [1], entries: [longNode])))
        }
    }

    @Test func randomMutationsThrowOrDecodeToSomethingThatRoundTrips() throws {
        var random = SeededGenerator(seed: 31)
        let seeds = Self.everyMessage.filter { SyncCodec.encode($0).count < 2_000 }.map(SyncCodec.encode)
        var decoded = 0
        for _ in 0..<5_000 {
            var bytes = seeds.randomElement(using: &random)!
            for _ in 0...random.below(3) {
                mutate(&bytes, using: &random)
            }
            guard let message = try? SyncCodec.decode(bytes) else { continue }
            decoded += 1
            #expect(try SyncCodec.decode(SyncCodec.encode(message)) == message)
        }
        for _ in 0..<2_000 {
            let garbage = (0..<random.below(64)).map { _ in UInt8(random.below(256)) }
            if let message = try? SyncCodec.decode(garbage) {
                #expect(try SyncCodec.decode(SyncCodec.encode(message)) == message)
            }
        }
        // Some mutations (a changed value byte) still decode; most do not.
        #expect(decoded > 0 && decoded < 5_000)
    }

    private func mutate(_ bytes: inout [UInt8], using random: inout SeededGenerator) {
        let position = random.below(bytes.count + 1)
        switch random.below(4) {
        case 0 where position < bytes.count:
            bytes[position] ^= UInt8(1 << random.below(8))
        case 1 where position < bytes.count:
            bytes[position] = UInt8(random.below(256))
        case 2:
            bytes.insert(UInt8(random.below(256)), at: position)
        default:
            if position < bytes.count { bytes.remove(at: position) } else { bytes.removeAll() }
        }
    }
}
