/// The last-writer-wins map of admin records that every node holds a replica of. For each key it keeps the record
/// with the greatest `Version`; a delete is a tombstone record, kept until `purgeTombstones` so that it still wins
/// against an older write that arrives late.
///
/// `merge` is commutative, associative and idempotent (the map is a state-based CRDT, Shapiro et al., "Conflict-free
/// Replicated Data Types", 2011), so replicas that have seen the same records are equal whatever the order, the
/// duplicates or the path the records took: gossip, sync or a reload from disk.
///
/// A value type with no I/O: the shell owns one, feeds it local writes and received records, and persists what
/// `merge` accepts and what `purgeTombstones` returns.
public struct ReplicatedMap: Sendable, Equatable {
    private var entries: [String: Record] = [:]
    /// The keys stored in each digest bucket, so the sync exchange reads only the buckets that differ.
    private var keysByBucket: [UInt16: Set<String>] = [:]
    private var tombstoneKeys: Set<String> = []

    /// The digest of every stored record, tombstones included; kept up to date by `merge` and `purgeTombstones`.
    public private(set) var digest = Digest()

    /// An empty map.
    public init() {}

    /// A map holding the newest of `records` for each key, such as the rows loaded from disk at start.
    public init(records: some Sequence<Record>) {
        for record in records {
            merge(record)
        }
    }

    /// How many records the map stores, tombstones included.
    public var count: Int { entries.count }

    /// How many of the stored records are tombstones.
    public var tombstoneCount: Int { tombstoneKeys.count }

    /// The record stored for `key`, which may be a tombstone; nil when the map has never seen the key or has purged
    /// its tombstone.
    public subscript(key: String) -> Record? {
        entries[key]
    }

    /// The live (not deleted) records whose keys start with `prefix`, sorted by key: the listing behind the admin
    /// API, such as every `connector/` record.
    public func records(withPrefix prefix: String) -> [Record] {
        entries.values
            .filter { !$0.isTombstone && $0.key.hasPrefix(prefix) }
            .sorted { $0.key < $1.key }
    }

    /// Every stored record, tombstones included, in no particular order.
    public var allRecords: some Collection<Record> {
        entries.values
    }

    /// Whether `merge` (without a tombstone horizon) would store `record`: the key is absent, or `record` wins over
    /// the stored record.
    public func isNewer(_ record: Record) -> Bool {
        guard let current = entries[record.key] else { return true }
        return Self.wins(record, over: current)
    }

    /// Applies `record` if its version is greater than the local one (or the key is absent). A tombstone written
    /// before `tombstoneHorizon` (wall ms) is refused instead of stored, so purged deletes don't come back via sync.
    /// Returns whether the map changed; the shell persists exactly the records for which it returns true.
    @discardableResult
    public mutating func merge(_ record: Record, tombstoneHorizon: UInt64 = 0) -> Bool {
        guard isNewer(record) else { return false }
        if record.isTombstone && record.version.timestamp.wallMilliseconds < tombstoneHorizon { return false }
        if let replaced = entries.updateValue(record, forKey: record.key) {
            digest.toggle(replaced)
            if replaced.isTombstone { tombstoneKeys.remove(replaced.key) }
        } else {
            keysByBucket[Digest.bucket(of: record.key), default: []].insert(record.key)
        }
        digest.toggle(record)
        if record.isTombstone { tombstoneKeys.insert(record.key) }
        return true
    }

    /// Removes tombstones whose version wall time is before `wallMilliseconds` and returns them, sorted by key, for
    /// the shell to delete from disk. Every node should purge with the same time to live and pass the same cutoff as
    /// `merge`'s horizon, or a node that still holds an expired tombstone sends it back to the nodes that purged it.
    public mutating func purgeTombstones(writtenBefore wallMilliseconds: UInt64) -> [Record] {
        var purged: [Record] = []
        for key in tombstoneKeys {
            let record = stored(key)
            if record.version.timestamp.wallMilliseconds < wallMilliseconds {
                purged.append(record)
            }
        }
        for record in purged {
            remove(record)
        }
        return purged.sorted { $0.key < $1.key }
    }

    /// The key and version of every record in `buckets`, bucket by bucket in the order given and by key within a
    /// bucket; repeated buckets count once. Costs time in proportion to the records in those buckets only.
    public func versions(inBuckets buckets: some Sequence<UInt16>) -> [KeyVersion] {
        var versions: [KeyVersion] = []
        var seen: Set<UInt16> = []
        for bucket in buckets where seen.insert(bucket).inserted {
            guard let keys = keysByBucket[bucket] else { continue }
            for key in keys.sorted() {
                versions.append(KeyVersion(key: key, version: stored(key).version))
            }
        }
        return versions
    }

    /// Replicas are equal when they store the same records; the digest and indexes follow from those.
    public static func == (lhs: ReplicatedMap, rhs: ReplicatedMap) -> Bool {
        lhs.entries == rhs.entries
    }

    /// Whether `candidate` replaces `current` for the same key: the greater version wins. Two different records
    /// with one version should not exist (a version names one write), but if a buggy writer makes them, a tombstone
    /// beats a live record and then the greater value bytes win, so every replica still picks the same record.
    private static func wins(_ candidate: Record, over current: Record) -> Bool {
        if candidate.version != current.version { return candidate.version > current.version }
        if candidate.isTombstone != current.isTombstone { return candidate.isTombstone }
        return current.value.lexicographicallyPrecedes(candidate.value)
    }

    private func stored(_ key: String) -> Record {
        guard let record = entries[key] else {
            preconditionFailure(
                "key \(key) is indexed but not stored; \(entries.count) records, tombstones \(tombstoneKeys.sorted())")
        }
        return record
    }

    private mutating func remove(_ record: Record) {
        entries.removeValue(forKey: record.key)
        let bucket = Digest.bucket(of: record.key)
        keysByBucket[bucket]?.remove(record.key)
        if keysByBucket[bucket]?.isEmpty == true { keysByBucket[bucket] = nil }
        tombstoneKeys.remove(record.key)
        digest.toggle(record)
    }
}
