/// Reads wire fields written by `ByteWriter` from untrusted bytes. Every read checks bounds and throws `Failure`
/// instead of trapping, and length prefixes are checked against the bytes left before anything is allocated, so a
/// hostile length cannot make the reader reserve gigabytes.
///
/// Generic over the error so that each protocol's decoder (Gossip's frames, Replication's sync messages) throws its
/// own error type without converting at every read.
public struct ByteReader<Failure: ByteReadFailure>: Sendable {
    @usableFromInline let source: [UInt8]
    @usableFromInline var position: Int
    @usableFromInline let end: Int

    /// A reader of `bytes[range]`; reads never look outside `range`.
    @inlinable public init(_ bytes: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "range \(range) of \(bytes.count) bytes")
        source = bytes
        position = range.lowerBound
        end = range.upperBound
    }

    /// A reader of all of `bytes`.
    @inlinable public init(_ bytes: [UInt8]) {
        self.init(bytes, range: 0..<bytes.count)
    }

    /// The index of the next byte to read, in the array given at init.
    @inlinable public var offset: Int { position }

    /// Bytes left before the end of the range.
    @inlinable public var remaining: Int { end - position }

    @inlinable public mutating func readByte(_ field: String) throws(Failure) -> UInt8 {
        guard position < end else { throw .truncated(field: field) }
        defer { position += 1 }
        return source[position]
    }

    /// One byte that must be 0 or 1.
    @inlinable public mutating func readBool(_ field: String) throws(Failure) -> Bool {
        switch try readByte(field) {
        case 0: return false
        case 1: return true
        case let other: throw .malformed(field: field, reason: "boolean byte \(other)")
        }
    }

    @inlinable public mutating func readUInt16(_ field: String) throws(Failure) -> UInt16 {
        UInt16(try readByte(field)) << 8 | UInt16(try readByte(field))
    }

    @inlinable public mutating func readUInt32(_ field: String) throws(Failure) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            value = value << 8 | UInt32(try readByte(field))
        }
        return value
    }

    @inlinable public mutating func readUInt64(_ field: String) throws(Failure) -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<8 {
            value = value << 8 | UInt64(try readByte(field))
        }
        return value
    }

    /// An unsigned LEB128 varint; refuses encodings longer than 64 bits rather than dropping the high bits.
    @inlinable public mutating func readVarint(_ field: String) throws(Failure) -> UInt64 {
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

    @inlinable public mutating func readVarint32(_ field: String) throws(Failure) -> UInt32 {
        let value = try readVarint(field)
        guard let narrow = UInt32(exactly: value) else {
            throw .malformed(field: field, reason: "\(value) exceeds 32 bits")
        }
        return narrow
    }

    /// A count or length prefix, which can never exceed the bytes left (each item takes at least one byte).
    @inlinable public mutating func readCount(_ field: String) throws(Failure) -> Int {
        let value = try readVarint(field)
        guard value <= UInt64(remaining) else { throw .truncated(field: field) }
        return Int(value)
    }

    /// Length-prefixed bytes; throws `tooLarge` when the prefix exceeds `limit`.
    @inlinable public mutating func readBytes(_ field: String, limit: Int = Int.max) throws(Failure) -> [UInt8] {
        let count = try readCount(field)
        guard count <= limit else { throw .tooLarge(field: field, size: count, limit: limit) }
        return try readRaw(count, field)
    }

    /// Exactly `count` bytes, with no length prefix.
    @inlinable public mutating func readRaw(_ count: Int, _ field: String) throws(Failure) -> [UInt8] {
        guard count >= 0, count <= remaining else { throw .truncated(field: field) }
        defer { position += count }
        return Array(source[position..<position + count])
    }

    /// A length-prefixed string of at most `limit` UTF-8 bytes; throws `malformed` for invalid UTF-8.
    @inlinable public mutating func readString(_ field: String, limit: Int = 255) throws(Failure) -> String {
        let raw = try readBytes(field, limit: limit)
        guard let value = String(validating: raw, as: UTF8.self) else {
            throw .malformed(field: field, reason: "not UTF-8")
        }
        return value
    }
}
