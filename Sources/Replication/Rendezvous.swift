/// Highest-random-weight (rendezvous) hashing, Thaler and Ravishankar, "Using Name-Based Mappings to Increase Hit
/// Rates" (1998): each member scores each key, and the highest score owns the key. Every node computes the same
/// owner from the same member names without coordination, and when a member joins or leaves only the keys it wins
/// or held move, about 1/N of them.
public enum Rendezvous {
    /// The member that owns `key`, or nil when there are no members. A score tie (a 64-bit coincidence) goes to the
    /// smaller name, so every node still agrees; repeated names count once.
    public static func owner(of key: String, among members: some Sequence<String>) -> String? {
        let keyHash = StableHash.of(key)
        var best: (member: String, score: UInt64)?
        for member in members {
            let score = self.score(keyHash: keyHash, member: member)
            if let current = best, score < current.score || (score == current.score && member >= current.member) {
                continue
            }
            best = (member, score)
        }
        return best?.member
    }

    /// The member's weight for a key. Both inputs are already well-mixed hashes; mixing their XOR again makes
    /// the scores of one key across members, and of one member across keys, independent enough for an even spread.
    static func score(keyHash: UInt64, member: String) -> UInt64 {
        StableHash.mix(keyHash ^ StableHash.of(member))
    }
}
