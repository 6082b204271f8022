import Replication

/// Records for the tests: explicit ones, and random operation sets in which three writers collide on a few keys
/// with equal timestamps, which is where last-writer-wins has to break ties.
enum Fixture {
    static let writers = ["node1", "node2", "node3"]

    static func version(_ wall: UInt64, _ counter: UInt32 = 0, _ node: String = "node1") -> Version {
        Version(timestamp: HybridTimestamp(wallMilliseconds: wall, counter: counter), node: node)
    }

    static func put(
        _ key: String, _ value: String, wall: UInt64, counter: UInt32 = 0, node: String = "node1"
    ) -> Record {
        Record(key: key, value: Array(value.utf8), version: version(wall, counter, node))
    }

    static func delete(_ key: String, wall: UInt64, counter: UInt32 = 0, node: String = "node1") -> Record {
        .tombstone(key: key, version: version(wall, counter, node))
    }

    /// `count` puts and tombstones over `keyCount` keys from the three writers. Each writer stamps its writes with
    /// its own hybrid clock read at a wall time in 1...4, so a writer never repeats a version but different writers
    /// often share a timestamp and differ only by node. With `buggyWriters`, one write in eight instead repeats an
    /// earlier version with other contents, which correct writers never do (a version names one write): the map must
    /// still converge, though sync, which compares versions only, cannot see such a difference.
    static func randomOperations(
        count: Int, keyCount: Int = 6, buggyWriters: Bool = true, using random: inout SeededGenerator
    ) -> [Record] {
        var clocks = [HybridClock](repeating: HybridClock(), count: writers.count)
        var operations: [Record] = []
        for _ in 0..<count {
            if buggyWriters && !operations.isEmpty && random.below(8) == 0 {
                var clash = operations[random.below(operations.count)]
                clash.isTombstone.toggle()
                clash.value = clash.isTombstone ? [] : [UInt8(random.below(256))]
                operations.append(clash)
                continue
            }
            let key = "key\(random.below(keyCount))"
            let writer = random.below(writers.count)
            let stamp = Version(timestamp: clocks[writer].now(wall: 1 + UInt64(random.below(4))), node: writers[writer])
            if random.below(4) == 0 {
                operations.append(.tombstone(key: key, version: stamp))
            } else {
                operations.append(Record(key: key, value: Array("written at \(stamp)".utf8), version: stamp))
            }
        }
        return operations
    }

    /// A map holding `records` merged in order.
    static func map(_ records: some Sequence<Record>, tombstoneHorizon: UInt64 = 0) -> ReplicatedMap {
        var map = ReplicatedMap()
        for record in records {
            map.merge(record, tombstoneHorizon: tombstoneHorizon)
        }
        return map
    }

    /// `map` with every record of `other` merged in: the union of two replicas.
    static func union(_ map: ReplicatedMap, _ other: ReplicatedMap) -> ReplicatedMap {
        var result = map
        for record in other.allRecords {
            result.merge(record)
        }
        return result
    }

    /// A record of `count` bytes of value.
    static func sized(_ key: String, valueBytes count: Int, wall: UInt64 = 1) -> Record {
        Record(key: key, value: [UInt8](repeating: 0x61, count: count), version: version(wall))
    }
}
