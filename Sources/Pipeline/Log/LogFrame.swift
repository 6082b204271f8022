import CZlib

/// One record of the incoming log on disk: payload length (UInt32, little-endian), CRC-32 of the payload, payload.
/// The checksum finds a record torn by a crash mid-write, so recovery cuts the log there instead of replaying junk.
/// It is zlib's CRC-32 (the IEEE polynomial), several times faster than a byte-at-a-time table on every request.
enum LogFrame {
    static let headerSize = 8
    /// No event is near this (events are limited to `server.max_event_size`); a larger length means a torn header.
    static let maximumPayload = 64 << 20

    static func append(_ payload: [UInt8], to buffer: inout [UInt8]) {
        let length = UInt32(payload.count)
        let checksum = checksum(payload[...])
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
        buffer.append(contentsOf: payload)
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }

    enum Decoded {
        /// A whole, intact record and the number of bytes it took.
        case record(payload: ArraySlice<UInt8>, size: Int)
        /// The buffer ends inside a record: read more, or at the end of the file this is a torn tail.
        case incomplete
        /// The checksum or length is wrong: the log ends before this record.
        case corrupt
    }

    /// The whole size of the record whose header starts `bytes` (at least `headerSize` bytes).
    static func frameSize(_ bytes: [UInt8]) -> Int {
        headerSize + Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
    }

    static func decode(_ bytes: [UInt8], at start: Int) -> Decoded {
        guard bytes.count - start >= headerSize else { return .incomplete }
        func word(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        let length = Int(word(start))
        guard length <= maximumPayload else { return .corrupt }
        let end = start + headerSize + length
        guard end <= bytes.count else { return .incomplete }
        guard checksum(bytes[(start + headerSize)..<end]) == word(start + 4) else { return .corrupt }
        return .record(payload: bytes[(start + headerSize)..<end], size: headerSize + length)
    }
}
