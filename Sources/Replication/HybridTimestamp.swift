/// A hybrid logical clock reading (Kulkarni et al., "Logical Physical Clocks"): wall-clock milliseconds, and a
/// counter that orders readings taken in the same millisecond or while the wall clock trails a reading seen from
/// another node. It stays close to real time, so an operator can read it, yet it never goes backwards.
public struct HybridTimestamp: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch, as the clock saw them.
    public var wallMilliseconds: UInt64
    /// Orders readings within one `wallMilliseconds`.
    public var counter: UInt32

    public init(wallMilliseconds: UInt64, counter: UInt32) {
        self.wallMilliseconds = wallMilliseconds
        self.counter = counter
    }

    public static let zero = HybridTimestamp(wallMilliseconds: 0, counter: 0)

    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool {
        (lhs.wallMilliseconds, lhs.counter) < (rhs.wallMilliseconds, rhs.counter)
    }

    /// `"<ms>.<counter>"`, for logs and the state API.
    public var description: String { "\(wallMilliseconds).\(counter)" }
}

/// Hands out hybrid timestamps for local writes and moves forward past timestamps seen from other nodes, so a
/// write made after reading a record always carries a greater version than that record. Pure: the caller passes
/// the wall clock in.
public struct HybridClock: Sendable {
    /// The last timestamp handed out or observed.
    public private(set) var last: HybridTimestamp
    /// How far ahead of the local wall clock a remote timestamp may be and still move this clock. A node whose
    /// clock runs a day fast would otherwise drag every clock in the cluster along with it.
    public let maxDrift: UInt64

    public init(last: HybridTimestamp = .zero, maxDriftMilliseconds: UInt64 = 60_000) {
        self.last = last
        self.maxDrift = maxDriftMilliseconds
    }

    /// The timestamp for a local event at wall time `wall` (ms since the epoch): greater than every earlier one.
    public mutating func now(wall: UInt64) -> HybridTimestamp {
        if wall > last.wallMilliseconds {
            last = HybridTimestamp(wallMilliseconds: wall, counter: 0)
        } else {
            advanceCounter()
        }
        return last
    }

    /// Takes in a timestamp from another node. Returns false, and leaves the clock alone, when `remote` is more than
    /// `maxDrift` ahead of `wall`; the caller may still store the record, it just does not set the pace.
    @discardableResult
    public mutating func observe(_ remote: HybridTimestamp, wall: UInt64) -> Bool {
        guard remote.wallMilliseconds <= wall || remote.wallMilliseconds - wall <= maxDrift else { return false }
        if remote > last { last = remote }
        return true
    }

    private mutating func advanceCounter() {
        if last.counter == .max {
            // 4 billion events in one millisecond: borrow the next millisecond rather than wrap.
            last = HybridTimestamp(wallMilliseconds: last.wallMilliseconds + 1, counter: 0)
        } else {
            last.counter += 1
        }
    }
}
