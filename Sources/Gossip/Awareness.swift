/// Lifeguard's local health awareness (Lifeguard IV-A, memberlist `awareness.go`): a score that rises when this
/// member misses its own deadlines and falls when probes succeed. Timeouts and intervals are multiplied by
/// `score + 1`, so a member that is slow itself probes less eagerly and accuses nobody for its own slowness.
struct Awareness: Sendable {
    /// The largest multiplier; the score stays within `0 ..< maxMultiplier`.
    let maxMultiplier: Int
    /// The current health score; 0 is healthy.
    private(set) var score = 0

    init(maxMultiplier: Int) {
        self.maxMultiplier = maxMultiplier
    }

    /// Moves the score by `delta`, clamped to `0 ..< maxMultiplier`.
    mutating func apply(delta: Int) {
        score = min(max(score + delta, 0), maxMultiplier - 1)
    }

    /// `milliseconds` stretched by the current health: `milliseconds * (score + 1)`.
    func scale(_ milliseconds: Int64) -> Int64 {
        milliseconds * Int64(score + 1)
    }
}
