/// A record of a topic log: the ingest time as 8 big-endian bytes of milliseconds since 1970, then the event's JSON.
/// The time rides in front so a task partitions by it without parsing the event.
enum TopicRecord {
    static func encode(ingestedAt: Int64, json: some Collection<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + json.count)
        let bits = UInt64(bitPattern: ingestedAt)
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        bytes.append(contentsOf: json)
        return bytes
    }

    /// Nil for a record shorter than its header (never written by this node).
    static func decode(_ bytes: [UInt8]) -> (ingestedAt: Int64, json: ArraySlice<UInt8>)? {
        guard bytes.count >= 8 else { return nil }
        let bits = bytes[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (Int64(bitPattern: bits), bytes[8...])
    }
}
