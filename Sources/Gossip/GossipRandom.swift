/// The machine's only source of randomness: a small seeded generator (SplitMix64) that lives inside the
/// `Membership` value, so a copy of the machine replays the same choices.
///
/// The shell seeds it once from the system generator; tests seed it with a constant so every run is identical.
/// It is not cryptographic: it only picks probe orders and gossip targets.
public struct GossipRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator whose sequence is fully determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits (SplitMix64, Steele et al. 2014).
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
