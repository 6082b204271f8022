import Replication
import Testing

/// Last-writer-wins merge: the CRDT laws (commutative, associative, idempotent) as property tests over random
/// operation sets, and the map's bookkeeping: tombstones, purging, listings.
@Suite struct ReplicatedMapTests {
    @Test func mergeOrderAndDuplicatesDoNotChangeTheResult() {
        var random = SeededGenerator(seed: 1)
        for _ in 0..<200 {
            let operations = Fixture.randomOperations(count: 30, using: &random)
            let reference = Fixture.map(operations)
            for _ in 0..<10 {
                var replay = operations.shuffled(using: &random)
                for _ in 0..<random.below(10) {
                    replay.insert(
                        operations.randomElement(using: &random)!,
                        at: random.below(replay.count + 1))
                }
                let replica = Fixture.map(replay)
                #expect(replica == reference)
                #expect(replica.digest == reference.digest)
            }
        }
    }

    @Test func mergingReplicasIsCommutativeAndAssociative() {
        var random = SeededGenerator(seed: 2)
        for _ in 0..<200 {
            let operations = Fixture.randomOperations(count: 36, using: &random)
            let a = Fixture.map(operations[0..<12])
            let b = Fixture.map(operations[12..<24])
            let c = Fixture.map(operations[24..<36])
            #expect(Fixture.union(a, b) == Fixture.union(b, a))
            let left = Fixture.union(Fixture.union(a, b), c)
            let right = Fixture.union(a, Fixture.union(b, c))
            #expect(left == right)
            #expect(left.digest == right.digest)
            #expect(left == Fixture.map(operations))
        }
    }

    @Test func mergingAReplicaIntoItselfChangesNothing() {
        var random = SeededGenerator(seed: 3)
        for _ in 0..<100 {
            var map = Fixture.map(Fixture.randomOperations(count: 30, using: &random))
            let before = map
            for record in Array(map.allRecords) {
                #expect(!map.isNewer(record))
                let accepted = map.merge(record)
                #expect(!accepted)
            }
            #expect(map == before)
            #expect(map.digest == before.digest)
        }
    }

    @Test func eachKeyHoldsItsGreatestVersion() {
        var random = SeededGenerator(seed: 4)
        for _ in 0..<200 {
            let operations = Fixture.randomOperations(count: 30, using: &random)
            let map = Fixture.map(operations)
            for (key, writes) in Dictionary(grouping: operations, by: \.key) {
                let greatest = writes.map(\.version).max()!
                #expect(map[key]?.version == greatest)
            }
            #expect(map.count == Set(operations.map(\.key)).count)
        }
    }

    @Test func aLaterWriteWinsAndAnEqualTimestampGoesToTheGreaterNodeName() {
        var map = ReplicatedMap()
        let accepted = [
            map.merge(Fixture.put("connector/1", "a", wall: 10, node: "node2")),
            map.merge(Fixture.put("connector/1", "b", wall: 10, node: "node1")),
            map.merge(Fixture.put("connector/1", "c", wall: 10, node: "node3")),
            map.merge(Fixture.put("connector/1", "d", wall: 10, counter: 1, node: "node1")),
            map.merge(Fixture.put("connector/1", "e", wall: 9, node: "node9")),
        ]
        #expect(accepted == [true, false, true, true, false])
        #expect(map["connector/1"]?.value == Array("d".utf8))
    }

    @Test func aTombstoneBeatsAnOlderWriteArrivingLate() {
        var map = ReplicatedMap()
        map.merge(Fixture.put("connector/1", "v1", wall: 10))
        let accepted = [
            map.merge(Fixture.delete("connector/1", wall: 20)),
            map.merge(Fixture.put("connector/1", "v0", wall: 15, node: "node2")),
        ]
        #expect(accepted == [true, false])
        #expect(map["connector/1"]?.isTombstone == true)
        #expect(map.count == 1)
        #expect(map.tombstoneCount == 1)
        #expect(map.records(withPrefix: "connector/").isEmpty)
        let rewritten = map.merge(Fixture.put("connector/1", "v2", wall: 30))
        #expect(rewritten)
        #expect(map.tombstoneCount == 0)
    }

    @Test func prefixListingHoldsOnlyLiveRecordsSortedByKey() {
        let map = Fixture.map([
            Fixture.put("connector/2", "b", wall: 1),
            Fixture.put("source/1", "s", wall: 1),
            Fixture.put("connector/10", "c", wall: 1),
            Fixture.delete("connector/3", wall: 1),
            Fixture.put("connector/1", "a", wall: 1),
        ])
        #expect(map.records(withPrefix: "connector/").map(\.key) == ["connector/1", "connector/10", "connector/2"])
        #expect(map.records(withPrefix: "").count == 4)
        #expect(map.allRecords.count == 5)
        #expect(map.count == 5)
        #expect(map.tombstoneCount == 1)
    }

    @Test func loadingRecordsKeepsTheNewestOfEachKey() {
        let records = [
            Fixture.put("a", "old", wall: 1), Fixture.put("a", "new", wall: 2), Fixture.delete("b", wall: 3),
        ]
        let map = ReplicatedMap(records: records.reversed())
        #expect(map == Fixture.map(records))
        #expect(map["a"]?.value == Array("new".utf8))
    }

    @Test func purgeRemovesOnlyTombstonesOlderThanTheCutoff() {
        var map = Fixture.map([
            Fixture.delete("old", wall: 99),
            Fixture.delete("edge", wall: 100),
            Fixture.delete("young", wall: 101),
            Fixture.put("live", "x", wall: 1),
        ])
        let purged = map.purgeTombstones(writtenBefore: 100)
        #expect(purged == [Fixture.delete("old", wall: 99)])
        #expect(map["old"] == nil)
        #expect(map["edge"]?.isTombstone == true)
        #expect(map["young"]?.isTombstone == true)
        #expect(map["live"] != nil)
        #expect(map.count == 3)
        #expect(map.tombstoneCount == 2)
        #expect(map.versions(inBuckets: [Digest.bucket(of: "old")]).allSatisfy { $0.key != "old" })
        #expect(map.purgeTombstones(writtenBefore: 100).isEmpty)
    }

    @Test func mergeRefusesATombstoneOlderThanTheHorizon() {
        var map = ReplicatedMap()
        let accepted = [
            map.merge(Fixture.delete("gone", wall: 99), tombstoneHorizon: 100),
            map.merge(Fixture.delete("kept", wall: 100), tombstoneHorizon: 100),
            // The horizon is for tombstones only: an old live record is still a record.
            map.merge(Fixture.put("old", "x", wall: 1), tombstoneHorizon: 100),
            // A refused expired tombstone leaves an older live record in place.
            map.merge(Fixture.delete("old", wall: 50), tombstoneHorizon: 100),
        ]
        #expect(accepted == [false, true, true, false])
        #expect(map["gone"] == nil)
        #expect(map["kept"]?.isTombstone == true)
        #expect(map["old"]?.isTombstone == false)
    }

    @Test func versionsInBucketsListsExactlyTheRecordsOfThoseBuckets() {
        var random = SeededGenerator(seed: 5)
        let map = Fixture.map((0..<2_000).map { Fixture.put("key\($0)", "v", wall: 1 + UInt64($0 % 7)) })
        for _ in 0..<20 {
            let buckets = (0..<5).map { _ in UInt16(random.below(Digest.bucketCount)) }
            let listed = map.versions(inBuckets: buckets + buckets)
            let expected = map.allRecords.filter { buckets.contains(Digest.bucket(of: $0.key)) }
            #expect(listed.count == expected.count)
            #expect(Set(listed) == Set(expected.map(KeyVersion.init)))
        }
        #expect(map.versions(inBuckets: []).isEmpty)
    }
}
