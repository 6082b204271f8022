/// Hands out integer ids (the connectors API shows integer ids) that are unique across the cluster without a
/// coordinator: `id = sequence << laneBits | lane`. Each node writes in its own lane, and within a lane the
/// sequence only grows.
///
/// The sequence is the wall clock in milliseconds since 2025-01-01T00:00:00Z, or one more than the last sequence
/// when the clock has not moved on (a burst within one millisecond, or the clock stepping back), so ids also sort
/// roughly by creation time. With 43 bits of sequence, ids stay below 2^53 (exact in JSON and JavaScript) until
/// about the year 2303.
///
/// Pure: the caller passes the wall clock in and persists `lastSequence` before using an id, so a restarted node
/// whose clock went back never reissues one.
public struct IdAllocator: Sendable {
    /// Bits of the id that hold the lane. WARNING: fixed: changing it changes what every existing id means.
    public static let laneBits = 10
    /// How many lanes there are: nodes in one cluster need distinct lanes.
    public static let laneCount = 1 << laneBits
    /// 2025-01-01T00:00:00Z in milliseconds since the Unix epoch: the sequence's zero.
    public static let epochMilliseconds: UInt64 = 1_735_689_600_000
    /// Ids stay below this, 2^53, the largest range of integers a JSON double holds exactly.
    public static let idLimit: UInt64 = 1 << 53

    /// This node's lane, below `laneCount`.
    public let lane: UInt16
    /// The sequence of the last id handed out (0 before the first); the shell persists it so a restart never reissues.
    public private(set) var lastSequence: UInt64

    /// An allocator for `lane` that continues after `lastSequence`, as persisted by the previous run.
    public init(lane: UInt16, lastSequence: UInt64 = 0) {
        precondition(Int(lane) < Self.laneCount, "lane \(lane) is not below \(Self.laneCount)")
        precondition(lastSequence < Self.idLimit >> UInt64(Self.laneBits), "persisted id sequence \(lastSequence)")
        self.lane = lane
        self.lastSequence = lastSequence
    }

    /// A new id, greater than every id this allocator handed out before. `wall` is ms since the Unix epoch.
    public mutating func next(wall: UInt64) -> UInt64 {
        let clock = wall > Self.epochMilliseconds ? wall - Self.epochMilliseconds : 0
        lastSequence = max(lastSequence + 1, clock)
        precondition(
            lastSequence < Self.idLimit >> UInt64(Self.laneBits), "id sequence \(lastSequence) would pass 2^53")
        return lastSequence << UInt64(Self.laneBits) | UInt64(lane)
    }

    /// The lane of an id: which node's allocator issued it.
    public static func lane(of id: UInt64) -> UInt16 {
        UInt16(id & UInt64(laneCount - 1))
    }

    /// The sequence part of an id.
    public static func sequence(of id: UInt64) -> UInt64 {
        id >> UInt64(laneBits)
    }

    /// The lane a node uses when its configuration names none, from its name. Two names can land in one lane (about
    /// 0.3% for 3 nodes, even odds at 38 by the birthday bound), and two nodes in one lane can issue the same id, so
    /// the shell should refuse a lane it sees another member use, and larger clusters should configure lanes.
    public static func defaultLane(for name: String) -> UInt16 {
        UInt16(StableHash.of(name) % UInt64(laneCount))
    }
}
