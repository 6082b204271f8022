import Replication
import Testing

/// Gossip updates: a record small enough for a packet rides whole, a larger one becomes a notice, and both decode
/// safely.
@Suite struct UpdateTests {
    @Test func recordsAndNoticesRoundTrip() throws {
        let updates: [Update] = [
            .record(Fixture.put("connector/1", "{}", wall: 1_735_689_600_000, counter: 3, node: "node1")),
            .record(Fixture.delete("connector/2", wall: 9, node: "node2")),
            .notice(KeyVersion(key: "connector/3", version: Fixture.version(77, 1, "node3")), from: "node3"),
        ]
        for update in updates {
            let encoded = Update.encode(update)
            #expect(encoded.first == Update.formatVersion)
            #expect(try Update.decode(encoded) == update)
        }
    }

    @Test func aRecordRidesWholeOnlyWhenItsEncodingFits() {
        let record = Fixture.sized("connector/9", valueBytes: 900)
        let size = Update.encode(.record(record)).count
        #expect(Update.forGossip(record, from: "node1", maxBytes: size) == .record(record))
        let notice = Update.forGossip(record, from: "node1", maxBytes: size - 1)
        #expect(notice == .notice(KeyVersion(record), from: "node1"))
        #expect(Update.encode(notice).count < 100)
    }

    @Test func malformedUpdatesThrow() {
        let format = Update.formatVersion
        #expect(throws: ReplicationWireError.truncated(field: "format")) { try Update.decode([]) }
        #expect(throws: ReplicationWireError.unsupportedFormat(2)) { try Update.decode([2, 1]) }
        #expect(throws: ReplicationWireError.unknownMessageType(3)) { try Update.decode([format, 3]) }
        let noticeFromNobody = Update.encode(.notice(KeyVersion(key: "k", version: Fixture.version(1)), from: ""))
        #expect(throws: ReplicationWireError.malformed(field: "notice node", reason: "empty name")) {
            try Update.decode(noticeFromNobody)
        }
        let encoded = Update.encode(.record(Fixture.put("connector/1", "{\"a\":1}", wall: 5)))
        for cut in 0..<encoded.count {
            #expect(throws: ReplicationWireError.self) { try Update.decode(Array(encoded[0..<cut])) }
        }
        #expect(throws: ReplicationWireError.trailingBytes(count: 2)) { try Update.decode(encoded + [0, 0]) }
    }

    @Test func randomBytesNeverTrap() throws {
        var random = SeededGenerator(seed: 40)
        let seed = Update.encode(.record(Fixture.put("connector/1", "{\"a\":1}", wall: 5)))
        for _ in 0..<3_000 {
            var bytes = seed
            let position = random.below(bytes.count)
            bytes[position] = UInt8(random.below(256))
            if random.below(3) == 0 { bytes.removeLast(random.below(bytes.count)) }
            if let update = try? Update.decode(bytes) {
                #expect(try Update.decode(Update.encode(update)) == update)
            }
        }
    }
}
