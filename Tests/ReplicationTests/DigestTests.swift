import Replication
import Testing

/// The digest: equal maps give equal digests, the incrementally kept digest matches one computed from scratch, and
/// the buckets reported as differing are exactly those holding keys whose records differ.
@Suite struct DigestTests {
    @Test func anEmptyMapHasAnEmptyDigestAndASmallMapASmallOne() {
        #expect(ReplicatedMap().digest.buckets.isEmpty)
        let map = Fixture.map([Fixture.put("a", "1", wall: 1), Fixture.put("b", "2", wall: 1)])
        #expect((1...2).contains(map.digest.buckets.count))
        #expect(map.digest.buckets.values.allSatisfy { $0 != 0 })
    }

    @Test func equalMapsHaveEqualDigestsAndAnyChangeShowsUp() {
        var random = SeededGenerator(seed: 10)
        for _ in 0..<100 {
            let operations = Fixture.randomOperations(count: 20, keyCount: 40, using: &random)
            let map = Fixture.map(operations)
            #expect(Fixture.map(operations.shuffled(using: &random)).digest == map.digest)
            var changed = map
            let key = operations.randomElement(using: &random)!.key
            changed.merge(Fixture.put(key, "newer", wall: 1_000))
            #expect(changed.digest.differingBuckets(from: map.digest) == [Digest.bucket(of: key)])
        }
    }

    @Test func incrementalDigestEqualsAFromScratchDigestAfterMergesAndPurges() {
        var random = SeededGenerator(seed: 11)
        var map = ReplicatedMap()
        for round in 0..<300 {
            for record in Fixture.randomOperations(count: 10, keyCount: 200, using: &random) {
                // Lift the walls so later rounds overwrite earlier ones and purges find old tombstones.
                var lifted = record
                lifted.version.timestamp.wallMilliseconds += UInt64(round)
                map.merge(lifted)
            }
            if round % 7 == 0 {
                _ = map.purgeTombstones(writtenBefore: UInt64(round))
            }
            #expect(map.digest == Digest(records: map.allRecords))
        }
        #expect(map.count > 0)
    }

    @Test func differingBucketsAreExactlyTheBucketsOfDifferingKeys() {
        var random = SeededGenerator(seed: 12)
        for _ in 0..<100 {
            let shared = Fixture.randomOperations(count: 200, keyCount: 3_000, using: &random)
            var left = Fixture.map(shared)
            var right = left
            for change in 0..<8 {
                let key = "key\(random.below(3_000))"
                let write = random.below(3) == 0
                    ? Fixture.delete(key, wall: 100 + UInt64(change))
                    : Fixture.put(key, "changed", wall: 100 + UInt64(change))
                if random.below(2) == 0 { left.merge(write) } else { right.merge(write) }
            }
            let keys = Set(left.allRecords.map(\.key)).union(right.allRecords.map(\.key))
            let expected = Set(keys.filter { left[$0] != right[$0] }.map(Digest.bucket(of:)))
            let differing = left.digest.differingBuckets(from: right.digest)
            #expect(differing == expected.sorted())
            #expect(right.digest.differingBuckets(from: left.digest) == differing)
        }
    }

    @Test func bucketsPresentOnOneSideOnlyDiffer() {
        let one = Digest(buckets: [3: 7, 9: 1])
        let other = Digest(buckets: [9: 1, 1_000: 5])
        #expect(one.differingBuckets(from: other) == [3, 1_000])
        #expect(one.differingBuckets(from: one).isEmpty)
        #expect(Digest(buckets: [4: 0]) == Digest())
    }

    @Test func bucketsAreStableAndInRange() {
        #expect(Digest.bucket(of: "connector/17") == 756)
        var random = SeededGenerator(seed: 13)
        for _ in 0..<1_000 {
            #expect(Int(Digest.bucket(of: "k\(random.next())")) < Digest.bucketCount)
        }
    }
}
