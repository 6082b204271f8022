/// A 64-bit hash that is the same on every node, every run and every build. Swift's `Hasher` is seeded per process,
/// so it cannot place keys in digest buckets or pick owners that two nodes must agree on.
///
/// FNV-1a 64 over the bytes, then the splitmix64 finalizer: FNV alone is stable but leaves the high bits poorly
/// mixed for short, similar keys (`connector/1`, `connector/2`), and the buckets and owners use all of them.
///
/// WARNING: digests, bucket numbers, owners and default id lanes are computed with this function on every node.
/// Changing it makes nodes of different builds disagree on all of them.
public enum StableHash {
    private static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// The hash of `string`'s UTF-8 bytes.
    public static func of(_ string: String) -> UInt64 {
        of(string.utf8)
    }

    /// The hash of `bytes`.
    public static func of(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= prime
        }
        return mix(hash)
    }

    /// The splitmix64 finalizer (Steele et al., "Fast Splittable Pseudorandom Number Generators"): a bijection on
    /// 64-bit values in which every input bit affects every output bit. Used to combine hashes.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
