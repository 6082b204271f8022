/// FNV-1a (64 bits) of an evaluation's output, printed beside each figure so the benchmark script can check that
/// rivulet and Go produced the same text, and so compared the same work. Go's `hash/fnv` computes the same.
enum OutputHash {
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
