/// Reads the keys of one typed configuration section and rejects every key it was not asked for.
///
/// A section's decoder calls `read` once per key it knows, then `finish()`. The known keys are therefore written
/// once, in the decoder, and the "did you mean" suggestion is drawn from exactly that list.
struct FieldReader {
    let path: String
    private var remaining: [(key: String, value: ConfigNode)]
    private var known: [String] = []

    init(path: String, entries: [(key: String, value: ConfigNode)]) {
        self.path = path
        self.remaining = entries
    }

    /// Decodes `key` into `target` when the key is present and not null; otherwise leaves the default in place.
    mutating func read<Value>(
        _ key: String, into target: inout Value, _ decode: (ConfigNode) throws(ConfigError) -> Value
    ) throws(ConfigError) {
        known.append(key)
        guard let index = remaining.firstIndex(where: { $0.key == key }) else { return }
        let node = remaining.remove(at: index).value
        if !node.isNull {
            target = try decode(node)
        }
    }

    /// Fails on the first key that no `read` call claimed, suggesting the closest known key when it looks like a typo.
    func finish() throws(ConfigError) {
        guard let (key, node) = remaining.first else { return }
        throw ConfigError.unknownKey(path: node.path, suggestion: Self.closest(to: key, among: known))
    }

    /// The known key within a small edit distance of `key` (about one edit per three characters), or else the one
    /// that `key` abbreviates (`max_body` for `max_body_bytes`), if any.
    static func closest(to key: String, among candidates: [String]) -> String? {
        let scored = candidates.map { (candidate: $0, distance: editDistance(key, $0)) }
        if let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= max(1, best.candidate.count / 3) {
            return best.candidate
        }
        return key.count >= 3 ? candidates.first { $0.hasPrefix(key) } : nil
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each cost one,
    /// so the common typo `prot` is one edit from `port`. Letter case is ignored.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.lowercased())
        let b = Array(rhs.lowercased())
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
