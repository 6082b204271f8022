import CZlib

/// One record of the incoming log on disk: payload length (UInt32, little-endian), checksum, payload.
/// The checksum finds a record torn by a crash mid-write, so recovery cuts the log there instead of replaying junk.
/// It is zlib's CRC-32 (the IEEE polynomial), computed by carry-less multiplication where the CPU has it
/// (`czlib_crc32`), XORed with the low 32 bits of the record's offset (`seal`): segment files are recycled
/// (`SegmentFiles`), and a record left from a file's earlier use is intact but sits at another offset, so it
/// cannot pass for the record expected at its place. Segments written before records were bound (`.log` files)
/// are read with `offset` nil.
enum LogFrame {
    static let headerSize = 8
    /// No event is near this (events are limited to `server.max_event_size`); a larger length means a torn header.
    static let maximumPayload = 64 << 20

    /// Frames `payload` into `buffer` with its checksum left blank: `seal` fills it in when the flush that writes
    /// the record assigns its offset, on the thread that writes it, so the event loop never spends time on CRCs.
    static func append(_ payload: [UInt8], to buffer: inout [UInt8]) {
        let length = UInt32(payload.count)
        for shift in stride(from: 0, to: 32, by: 8) { buffer.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        buffer.append(contentsOf: repeatElement(0, count: 4))
        buffer.append(contentsOf: payload)
    }

    /// Writes the checksums of the records framed in `frames`, binding them to their offsets `first`, `first + 1`,
    /// ...; with `first` nil, plain CRCs as the unbound `.log` segments have them.
    static func seal(_ frames: inout [UInt8], from first: UInt64?) {
        var start = 0
        var offset = first ?? 0
        frames.withUnsafeMutableBytes { bytes in
            while start < bytes.count {
                let length = Int(bytes.loadUnaligned(fromByteOffset: start, as: UInt32.self).littleEndian)
                let payload = bytes.baseAddress! + start + headerSize
                let crc = czlib_crc32(0, payload.assumingMemoryBound(to: UInt8.self), length)
                let binding = first == nil ? 0 : UInt32(truncatingIfNeeded: offset)
                bytes.storeBytes(of: (crc ^ binding).littleEndian, toByteOffset: start + 4, as: UInt32.self)
                start += headerSize + length
                offset += 1
            }
        }
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            czlib_crc32(0, buffer.baseAddress, buffer.count)
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

    /// The record at `start`, expected to be record `offset` (nil: an unbound record of a `.log` segment).
    static func decode(_ bytes: [UInt8], at start: Int, offset: UInt64?) -> Decoded {
        guard bytes.count - start >= headerSize else { return .incomplete }
        func word(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        let length = Int(word(start))
        guard length <= maximumPayload else { return .corrupt }
        let end = start + headerSize + length
        guard end <= bytes.count else { return .incomplete }
        let binding = offset.map { UInt32(truncatingIfNeeded: $0) } ?? 0
        guard checksum(bytes[(start + headerSize)..<end]) ^ binding == word(start + 4) else { return .corrupt }
        return .record(payload: bytes[(start + headerSize)..<end], size: headerSize + length)
    }
}
