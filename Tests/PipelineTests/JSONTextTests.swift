import Testing
@testable import Pipeline

@Suite struct JSONTextTests {
    /// Byte by byte, as the word-at-a-time search must answer.
    private func naiveRunEnd(_ bytes: [UInt8], from start: Int) -> Int {
        bytes[start...].firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 } ?? bytes.count
    }

    @Test func stringRunsEndAtTheFirstQuoteBackslashOrControlByteWhateverSurroundsIt() {
        var generator = SystemRandomNumberGenerator()
        // Bytes next to the special ones in value (0x21, 0x23, 0x5B, 0x5D, 0x1F, 0x20), high bytes, and the specials.
        let alphabet: [UInt8] = [0x00, 0x01, 0x09, 0x0A, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x41, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA0, 0xA2, 0xDC, 0xFF]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...40, using: &generator)
            // Mostly plain bytes, so runs are long enough to cross words.
            let bytes = (0..<count).map { _ in
                Int.random(in: 0..<6, using: &generator) == 0 ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0x23...0x5B, using: &generator)
            }
            let start = Int.random(in: 0...count, using: &generator)
            let found = bytes.withUnsafeBufferPointer { JSONText.stringRunEnd(in: $0, from: start) }
            #expect(found == naiveRunEnd(bytes, from: start), "\(bytes) from \(start)")
            #expect(bytes.withUnsafeBufferPointer { JSONText.isASCII($0) } == bytes.allSatisfy { $0 < 0x80 })
        }
    }

    /// Against a byte-by-byte search, in 50 random texts of each length up to 40, half of them holding the needle at
    /// a random offset: made of bytes that match its first or second byte (or 0x01, which the zero-byte test may mark
    /// above a true zero) without spelling it.
    @Test func containsFindsTheNeedleWhereverItIsAndNothingElse() {
        let needle = Array(#""_ev""#.utf8)
        let fillers: [UInt8] = [UInt8(ascii: "\""), UInt8(ascii: "_"), 0x01, 0x23, UInt8(ascii: "e")]
        var random = SystemRandomNumberGenerator()
        for count in 0...40 {
            for _ in 0..<50 {
                var text = (0..<count).map { _ in fillers.randomElement(using: &random)! }
                if count >= needle.count, Bool.random(using: &random) {
                    let at = Int.random(in: 0...(count - needle.count), using: &random)
                    text.replaceSubrange(at..<(at + needle.count), with: needle)
                }
                let expected = count >= needle.count && (0...(count - needle.count)).contains { Array(text[$0..<($0 + needle.count)]) == needle }
                #expect(text.withUnsafeBytes { JSONText.contains(needle, in: $0) } == expected, "\(text)")
            }
        }
    }
}
