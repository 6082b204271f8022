import Glibc

/// Searches over JSON text eight bytes at a time, for the scanners that check or transcode events without parsing
/// them (`EventScanner`, `JSONCopyTranscoder`, the topic router): most of an event's bytes are inside strings.
public enum JSONText {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first byte of `bytes` from `start` that ends or escapes a string's run of plain bytes (a
    /// quote, a backslash or a control character), or `bytes.count`.
    static func stringRunEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
            let quote = word ^ (ones &* 0x22)
            let backslash = word ^ (ones &* 0x5C)
            // The high bit of each byte that is zero in `quote` or `backslash`, or below 0x20 in `word`. A borrow
            // can mark a byte above a true one, never below: the lowest mark is exact.
            let found = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (word &- ones &* 0x20) & ~word) & highs
            if found != 0 { return index + found.trailingZeroBitCount >> 3 }
            index += 8
        }
        while index < bytes.count, bytes[index] != 0x22, bytes[index] != 0x5C, bytes[index] >= 0x20 { index += 1 }
        return index
    }

    /// Whether no byte of `bytes` has its high bit set.
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & highs == 0
    }

    /// Whether `needle` (two bytes or more) occurs in `text`. Eight positions a step: a position is a candidate when
    /// its byte and the next are the needle's first two (the zero-byte test on both words, exact for every true
    /// match, may also mark a byte above one), and only candidates are compared whole. Swift does not see glibc's
    /// `memmem`; the topic router's search for the event-type key, a `memchr` and a `memcmp` per quote of each event
    /// before, took a seventh of the background threads' time under ingestion.
    public static func contains(_ needle: [UInt8], in text: UnsafeRawBufferPointer) -> Bool {
        let (count, length) = (text.count, needle.count)
        guard length >= 2, count >= length, let base = text.baseAddress else { return false }
        let first = ones &* UInt64(needle[0]), second = ones &* UInt64(needle[1])
        func matches(at offset: Int) -> Bool { offset + length <= count && memcmp(base + offset, needle, length) == 0 }
        var index = 0
        while index + 9 <= count {
            let a = base.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ first
            let b = base.loadUnaligned(fromByteOffset: index + 1, as: UInt64.self) ^ second
            var marks = (a &- ones) & ~a & (b &- ones) & ~b & highs
            while marks != 0 {
                if matches(at: index + marks.trailingZeroBitCount >> 3) { return true }
                marks &= marks &- 1
            }
            index += 8
        }
        while index + length <= count {
            if matches(at: index) { return true }
            index += 1
        }
        return false
    }
}
