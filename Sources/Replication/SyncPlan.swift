/// The decisions of the anti-entropy exchange (see `SyncMessage`), as pure functions of the messages and the local
/// map, so the exchange is tested without sockets. The shell sends what these return and merges what it receives.
public enum SyncPlan {
    /// R's answer to a digest: the buckets where the maps differ and R's key versions in them. Costs time in
    /// proportion to the records in differing buckets, so two nearly equal maps exchange little. When those versions
    /// would take more than `maxBytes` (a new node facing a large map), it answers the buckets that fit, at least one,
    /// after a `.more` that makes the initiator come back for the rest: no message outgrows the stream's frame limit.
    public static func versions(answering digest: Digest, from map: ReplicatedMap, maxBytes: Int = 4 << 20) -> [SyncMessage] {
        let differing = map.digest.differingBuckets(from: digest)
        var buckets: [UInt16] = []
        var entries: [KeyVersion] = []
        var size = 0
        for bucket in differing {
            let bucketEntries = map.versions(inBuckets: [bucket])
            let bucketSize = bucketEntries.reduce(2) { $0 + $1.key.utf8.count + $1.version.node.utf8.count + 24 }
            if !buckets.isEmpty, size + bucketSize > maxBytes { break }
            buckets.append(bucket)
            entries += bucketEntries
            size += bucketSize
        }
        let answer = SyncMessage.versions(buckets: buckets, entries: entries)
        return buckets.count < differing.count ? [.more, answer] : [answer]
    }

    /// I's side after `.versions`: the records to push to R (newer than R's, or missing at R), sorted by key, and the
    /// keys to ask R for (newer at R, or missing here), sorted. Remote entries outside `buckets` are ignored, since R
    /// only speaks for those buckets; a key listed twice counts with its greater version.
    public static func exchange(
        buckets: [UInt16], remote: [KeyVersion], local map: ReplicatedMap
    ) -> (push: [Record], wants: [String]) {
        let bucketSet = Set(buckets)
        var remoteVersions: [String: Version] = [:]
        for entry in remote where bucketSet.contains(Digest.bucket(of: entry.key)) {
            if let known = remoteVersions[entry.key], known >= entry.version { continue }
            remoteVersions[entry.key] = entry.version
        }
        var push: [Record] = []
        for entry in map.versions(inBuckets: bucketSet) {
            if let remoteVersion = remoteVersions[entry.key], remoteVersion >= entry.version { continue }
            if let record = map[entry.key] { push.append(record) }
        }
        var wants: [String] = []
        for (key, version) in remoteVersions {
            if let local = map[key], local.version >= version { continue }
            wants.append(key)
        }
        return (push.sorted { $0.key < $1.key }, wants.sorted())
    }

    /// R's side after `.wants`: the records it holds for `keys` (tombstones included, so deletes propagate), sorted
    /// by key, each once. Keys R no longer holds (purged since step 2) are skipped.
    public static func records(wanted keys: [String], from map: ReplicatedMap) -> [Record] {
        Set(keys).compactMap { map[$0] }.sorted { $0.key < $1.key }
    }

    /// Splits records into chunks whose encoded size stays under maxBytes (at least one record per chunk).
    /// Each chunk's `.records` message encodes to at most `maxBytes`, except a chunk holding a single record that is
    /// larger on its own. Order is kept; no records give no chunks.
    public static func chunks(_ records: [Record], maxBytes: Int) -> [[Record]] {
        var chunks: [[Record]] = []
        var current: [Record] = []
        var currentBytes = 0
        for record in records {
            let size = record.encodedSize
            let grown = SyncCodec.recordsMessageSize(count: current.count + 1, recordBytes: currentBytes + size)
            if !current.isEmpty && grown > maxBytes {
                chunks.append(current)
                current = []
                currentBytes = 0
            }
            current.append(record)
            currentBytes += size
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }
}
