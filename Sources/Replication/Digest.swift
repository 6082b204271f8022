import WireBytes

/// A summary of a replicated map in `bucketCount` buckets, so two nodes find which keys differ without sending the
/// map: each key falls in one bucket, and a bucket's value is the XOR of its entries' hashes, so equal buckets mean
/// (barring a 64-bit collision) equal entries. The anti-entropy exchange then sends versions only for the buckets
/// that differ.
///
/// XOR lets the map keep its digest up to date on every change (remove the old entry's hash, add the new one)
/// instead of rehashing everything per sync.
public struct Digest: Equatable, Sendable {
    /// How many buckets keys fall into. WARNING: a protocol constant: nodes with different counts would see every
    /// bucket differ. 1,024 buckets keep a full digest near 10 KB while a map of 10,000 keys has about 10 per bucket.
    public static let bucketCount = 1024

    /// The non-zero buckets only, so a small map sends a small digest; a missing bucket is zero (empty).
    public var buckets: [UInt16: UInt64]

    /// A digest with the given buckets; zero values are dropped, since a missing bucket means zero.
    public init(buckets: [UInt16: UInt64] = [:]) {
        self.buckets = buckets.filter { $0.value != 0 }
    }

    /// The digest of `records` computed from scratch; `ReplicatedMap` maintains the same value incrementally.
    public init(records: some Sequence<Record>) {
        self.init()
        for record in records {
            toggle(record)
        }
    }

    /// The bucket `key` belongs to, the same on every node.
    public static func bucket(of key: String) -> UInt16 {
        UInt16(StableHash.of(key) % UInt64(bucketCount))
    }

    /// The buckets whose values differ, in ascending order, including buckets only one side has.
    public func differingBuckets(from other: Digest) -> [UInt16] {
        var differing: [UInt16] = []
        for (bucket, value) in buckets where other.buckets[bucket] != value {
            differing.append(bucket)
        }
        for bucket in other.buckets.keys where buckets[bucket] == nil {
            differing.append(bucket)
        }
        return differing.sorted()
    }

    /// Adds `record` to its bucket, or removes it if it was added before: XOR is its own inverse.
    mutating func toggle(_ record: Record) {
        let bucket = Self.bucket(of: record.key)
        let value = (buckets[bucket] ?? 0) ^ Self.entryHash(of: record)
        buckets[bucket] = value == 0 ? nil : value
    }

    /// The hash of what identifies an entry: its key, version and tombstone flag. The value is left out because a
    /// version names exactly one write. Fields are length-prefixed so that no two entries hash the same bytes.
    static func entryHash(of record: Record) -> UInt64 {
        var writer = ByteWriter()
        writer.writeString(record.key)
        writer.writeVarint(record.version.timestamp.wallMilliseconds)
        writer.writeVarint(UInt64(record.version.timestamp.counter))
        writer.writeString(record.version.node)
        writer.write(record.isTombstone)
        return StableHash.of(writer.bytes)
    }
}
