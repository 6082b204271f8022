/// Reads wire fields written by `ByteWriter` from untrusted bytes; every read checks bounds and throws
/// `GossipError` instead of trapping, and length prefixes are checked against the bytes left before allocating.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int

    init(_ bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        offset = range.lowerBound
        end = range.upperBound
    }

    var remaining: Int { end - offset }

    mutating func readByte(_ field: String) throws(GossipError) -> UInt8 {
        guard offset < end else { throw .truncated(field: field) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readBool(_ field: String) throws(GossipError) -> Bool {
        switch try readByte(field) {
        case 0: return false
        case 1: return true
        case let other: throw .malformed(field: field, reason: "boolean byte \(other)")
        }
    }

    mutating func readUInt16(_ field: String) throws(GossipError) -> UInt16 {
        UInt16(try readByte(field)) << 8 | UInt16(try readByte(field))
    }

    mutating func readUInt32(_ field: String) throws(GossipError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            value = value << 8 | UInt32(try readByte(field))
        }
        return value
    }

    mutating func readVarint(_ field: String) throws(GossipError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte(field)
            guard shift < 63 || byte <= 1 else {
                throw .malformed(field: field, reason: "varint longer than 64 bits")
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func readVarint32(_ field: String) throws(GossipError) -> UInt32 {
        let value = try readVarint(field)
        guard let narrow = UInt32(exactly: value) else {
            throw .malformed(field: field, reason: "\(value) exceeds 32 bits")
        }
        return narrow
    }

    /// A count or length prefix, which can never exceed the bytes left (each item takes at least one byte).
    mutating func readCount(_ field: String) throws(GossipError) -> Int {
        let value = try readVarint(field)
        guard value <= UInt64(remaining) else { throw .truncated(field: field) }
        return Int(value)
    }

    mutating func readBytes(_ field: String, limit: Int = Int.max) throws(GossipError) -> [UInt8] {
        let count = try readCount(field)
        guard count <= limit else { throw .tooLarge(field: field, size: count, limit: limit) }
        return try readRaw(count, field)
    }

    mutating func readRaw(_ count: Int, _ field: String) throws(GossipError) -> [UInt8] {
        guard count <= remaining else { throw .truncated(field: field) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func readString(_ field: String, limit: Int = 255) throws(GossipError) -> String {
        let raw = try readBytes(field, limit: limit)
        guard let value = String(validating: raw, as: UTF8.self) else {
            throw .malformed(field: field, reason: "not UTF-8")
        }
        return value
    }
}
