import Testing
@testable import Cluster

@Suite struct StreamFrameTests {
    @Test func messagesSplitAcrossReadsAreReassembled() throws {
        let bytes = StreamFrame.encode(.stateRequest, [1, 2, 3]) + StreamFrame.encode(.gossip, [])
        var buffer = Array(bytes.prefix(4))
        #expect(try StreamFrame.decode(&buffer).isEmpty)
        buffer += bytes.dropFirst(4)
        let messages = try StreamFrame.decode(&buffer)
        #expect(messages.map(\.0) == [.stateRequest, .gossip])
        #expect(messages.map(\.1) == [[1, 2, 3], []])
        #expect(buffer.isEmpty)
    }

    @Test func unknownKindAndOversizedLengthAreRejected() {
        var unknown: [UInt8] = [9, 0, 0, 0, 0]
        #expect(throws: StreamFrameError.unknownKind(9)) { try StreamFrame.decode(&unknown) }
        var huge: [UInt8] = [1, 0x7f, 0xff, 0xff, 0xff]
        #expect(throws: StreamFrameError.tooLarge(0x7fff_ffff)) { try StreamFrame.decode(&huge) }
    }
}

@Suite struct NodeMetadataTests {
    @Test func roundTripsAndStaysWithinTheGossipLimit() throws {
        let metadata = NodeMetadata(http: "[2001:db8::1]:8001", version: "0.1.0", roles: ["admin", "pipeline"])
        #expect(NodeMetadata(decoding: metadata.encoded()) == metadata)
        #expect(metadata.encoded().count < 512)
        #expect(NodeMetadata(decoding: Array("not json".utf8)) == nil)
    }
}
