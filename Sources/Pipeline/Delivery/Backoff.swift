/// Delays between attempts to reach an unreachable destination: doubling from `initial` up to `maximum`, with up to
/// half of each delay randomized so many nodes do not hammer a recovering server in step. Retries never give up:
/// the events stay in the log until the destination takes them.
public struct Backoff {
    public var initial: Duration = .milliseconds(200)
    public var maximum: Duration = .seconds(30)
    public private(set) var attempt = 0

    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    public mutating func next<R: RandomNumberGenerator>(using random: inout R) -> Duration {
        let factor = 1 << min(attempt, 20)
        attempt += 1
        let base = min(initial * factor, maximum)
        return base * 0.5 + base * Double.random(in: 0...0.5, using: &random)
    }

    public mutating func reset() { attempt = 0 }
}
