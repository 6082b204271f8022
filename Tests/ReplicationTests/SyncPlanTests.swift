import Replication
import Testing

/// The anti-entropy exchange, run between in-memory maps through the real codec: both sides end equal, and only
/// what differs crosses the wire.
@Suite struct SyncPlanTests {
    @Test func divergedReplicasEndEqualAndASecondSyncSendsNothing() throws {
        var random = SeededGenerator(seed: 20)
        for _ in 0..<50 {
            let operations = Fixture.randomOperations(count: 160, keyCount: 300, buggyWriters: false, using: &random)
            var initiator = Fixture.map(operations[..<100])
            var responder = initiator
            for record in operations[100...] {
                if random.below(2) == 0 { initiator.merge(record) } else { responder.merge(record) }
            }
            var sync = SyncExchange(initiator: initiator, responder: responder)
            try sync.run()
            #expect(sync.initiator == sync.responder)
            #expect(sync.initiator.digest == sync.responder.digest)
            #expect(sync.initiator == Fixture.union(initiator, responder))

            var again = SyncExchange(initiator: sync.initiator, responder: sync.responder)
            try again.run()
            #expect(again.bucketsCompared == 0)
            #expect(again.versionsSent == 0)
            #expect(again.recordsPushed + again.recordsPulled == 0)
            #expect(again.messages == 4)
        }
    }

    @Test func onlyTheChangedRecordsOfALargeMapCross() throws {
        let shared = (0..<10_000).map { Fixture.put("connector/\($0)", "config \($0)", wall: 1_000 + UInt64($0)) }
        var initiator = Fixture.map(shared)
        var responder = initiator
        initiator.merge(Fixture.put("connector/17", "edited at I", wall: 50_000, node: "nodeI"))
        initiator.merge(Fixture.put("connector/new", "created at I", wall: 50_001, node: "nodeI"))
        responder.merge(Fixture.put("connector/4242", "edited at R", wall: 50_002, node: "nodeR"))
        responder.merge(Fixture.delete("connector/9000", wall: 50_003, node: "nodeR"))
        responder.merge(Fixture.put("source/1", "created at R", wall: 50_004, node: "nodeR"))

        var sync = SyncExchange(initiator: initiator, responder: responder)
        try sync.run()
        #expect(sync.initiator == sync.responder)
        #expect(sync.recordsPushed == 2)
        #expect(sync.recordsPulled == 3)
        #expect(sync.bucketsCompared <= 5)
        // R lists only the keys of the differing buckets: about 10 a bucket, not 10,000.
        let expectedVersions = responder.versions(inBuckets: initiator.digest.differingBuckets(from: responder.digest))
        #expect(sync.versionsSent == expectedVersions.count)
        #expect(sync.versionsSent < 100)
        // The digest of 10,000 keys fills every bucket (about 10 KB); everything else is a few hundred bytes.
        #expect(sync.bytes < 12_500)
        #expect(sync.initiator["connector/9000"]?.isTombstone == true)
    }

    @Test func aNewNodeFacingALargeMapIsAnsweredInPartsThatFitUntilItHasEverything() throws {
        let responder = Fixture.map((0..<5_000).map { Fixture.put("connector/\($0)", "config \($0)", wall: 1_000 + UInt64($0)) })
        var sync = SyncExchange(initiator: ReplicatedMap(), responder: responder)
        sync.versionsBytes = 16 << 10
        var rounds = 0
        repeat {
            try sync.run()
            rounds += 1
        } while sync.answeredInPart && rounds < 1_000
        #expect(sync.initiator == responder)
        #expect(rounds > 5, "the versions of 5,000 keys do not fit 16 KiB")
        // A bucket holds about 5 keys here, so an answer overshoots the bound by at most one bucket.
        #expect(sync.largestVersions < (16 << 10) + 1_000)
    }

    @Test func deletesOnEitherSidePropagateAsTombstones() throws {
        let base = Fixture.map([Fixture.put("a", "1", wall: 10), Fixture.put("b", "2", wall: 10)])
        var initiator = base
        var responder = base
        initiator.merge(Fixture.delete("a", wall: 20, node: "nodeI"))
        responder.merge(Fixture.delete("b", wall: 20, node: "nodeR"))
        // A write older than the delete, known only to R, must not come back to life.
        initiator.merge(Fixture.delete("c", wall: 30, node: "nodeI"))
        responder.merge(Fixture.put("c", "stale", wall: 25, node: "nodeR"))

        var sync = SyncExchange(initiator: initiator, responder: responder)
        try sync.run()
        #expect(sync.initiator == sync.responder)
        #expect(sync.initiator.records(withPrefix: "").isEmpty)
        #expect(sync.responder.tombstoneCount == 3)
    }

    @Test func aPurgedDeleteDoesNotComeBackFromANodeThatStillHoldsIt() throws {
        let horizon: UInt64 = 1_000
        let tombstone = Fixture.delete("connector/1", wall: 200)
        var purged = Fixture.map([Fixture.put("connector/1", "v1", wall: 100), tombstone])
        #expect(purged.purgeTombstones(writtenBefore: horizon) == [tombstone])
        let holder = Fixture.map([Fixture.put("connector/1", "v1", wall: 100), tombstone])

        // The holder offers it as responder, and pushes it as initiator: refused both ways.
        var pull = SyncExchange(initiator: purged, responder: holder, tombstoneHorizon: horizon)
        try pull.run()
        #expect(pull.initiator["connector/1"] == nil)
        var push = SyncExchange(initiator: holder, responder: purged, tombstoneHorizon: horizon)
        try push.run()
        #expect(push.responder["connector/1"] == nil)

        // Once the holder purges too, the replicas agree again.
        var caughtUp = holder
        _ = caughtUp.purgeTombstones(writtenBefore: horizon)
        var after = SyncExchange(initiator: purged, responder: caughtUp, tombstoneHorizon: horizon)
        try after.run()
        #expect(after.initiator == after.responder)
        #expect(after.bucketsCompared == 0)
    }

    @Test func largeTransfersAreSplitIntoChunksThatFit() throws {
        let initiator = Fixture.map((0..<40).map { Fixture.sized("big/\($0)", valueBytes: 3_000) })
        var sync = SyncExchange(initiator: initiator, responder: ReplicatedMap())
        sync.chunkBytes = 10_000
        try sync.run()
        #expect(sync.responder == initiator)
        #expect(sync.recordsPushed == 40)
        // Three 3 KB records per chunk: 14 chunks, plus digest, versions, wants and done.
        #expect(sync.messages == 14 + 4)
    }

    @Test func chunksKeepOrderAndStayUnderTheLimit() {
        var random = SeededGenerator(seed: 21)
        for _ in 0..<200 {
            let records = (0..<Int(random.below(60))).map {
                Fixture.sized("k\($0)", valueBytes: Int(random.below(2_000)))
            }
            let maxBytes = 500 + Int(random.below(5_000))
            let chunks = SyncPlan.chunks(records, maxBytes: maxBytes)
            #expect(Array(chunks.joined()) == records)
            for (index, chunk) in chunks.enumerated() {
                #expect(!chunk.isEmpty)
                let size = SyncCodec.encode(.records(chunk)).count
                #expect(size <= maxBytes || chunk.count == 1)
                // Greedy: the next record would not have fitted.
                if index + 1 < chunks.count {
                    let grown = SyncCodec.encode(.records(chunk + [chunks[index + 1][0]])).count
                    #expect(grown > maxBytes)
                }
            }
        }
        #expect(SyncPlan.chunks([], maxBytes: 100).isEmpty)
        let oversized = Fixture.sized("huge", valueBytes: 1_000)
        #expect(SyncPlan.chunks([oversized, oversized], maxBytes: 100) == [[oversized], [oversized]])
    }

    @Test func theInitiatorIgnoresEntriesOutsideTheListedBuckets() {
        let local = Fixture.map([Fixture.put("mine", "x", wall: 5)])
        let outside = KeyVersion(key: "stranger", version: Fixture.version(9))
        let bucket = Digest.bucket(of: "mine")
        #expect(Digest.bucket(of: "stranger") != bucket)
        let (push, wants) = SyncPlan.exchange(buckets: [bucket], remote: [outside], local: local)
        #expect(push.map(\.key) == ["mine"])
        #expect(wants.isEmpty)
    }
}
