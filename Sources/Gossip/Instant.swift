/// A point on the shell's monotonic clock, in milliseconds since an origin the shell picks (libuv's `uv_now`).
///
/// The machine never reads a clock: every input takes `now: Instant`, so tests move time by hand and a
/// simulation runs on virtual time.
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Milliseconds since the shell's clock origin.
    public var milliseconds: Int64

    /// Creates the instant `milliseconds` after the clock origin.
    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    /// Orders instants by time.
    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.milliseconds < rhs.milliseconds
    }

    /// This instant moved forward by `duration`, truncated to whole milliseconds.
    public func advanced(by duration: Duration) -> Instant {
        Instant(milliseconds: milliseconds + duration.wholeMilliseconds)
    }

    /// The time from this instant to `later` (negative when `later` is earlier).
    public func duration(to later: Instant) -> Duration {
        .milliseconds(later.milliseconds - milliseconds)
    }

    /// The instant as `"<milliseconds>ms"`, for test failures and logs.
    public var description: String { "\(milliseconds)ms" }
}

extension Duration {
    /// The duration truncated to whole milliseconds; the machine keeps time at libuv's resolution.
    var wholeMilliseconds: Int64 {
        let parts = components
        return parts.seconds * 1000 + parts.attoseconds / 1_000_000_000_000_000
    }
}

extension Instant {
    /// The instant `milliseconds` later; the machine's internal arithmetic stays in integers.
    static func + (lhs: Instant, milliseconds: Int64) -> Instant {
        Instant(milliseconds: lhs.milliseconds + milliseconds)
    }

    /// Milliseconds from `rhs` to `lhs`.
    static func - (lhs: Instant, rhs: Instant) -> Int64 {
        lhs.milliseconds - rhs.milliseconds
    }
}
