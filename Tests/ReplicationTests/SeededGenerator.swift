import Replication

/// A seeded random number generator (splitmix64), so every randomized test replays the same cases on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// A uniform integer in `0..<bound`.
    mutating func below(_ bound: Int) -> Int {
        Int(next(upperBound: UInt64(bound)))
    }

    /// SplitMix64's step: a golden-ratio increment through the same finalizer `StableHash.mix` is.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return StableHash.mix(state)
    }
}
