/// Appends wire fields to a byte array: big-endian fixed integers, LEB128 varints, length-prefixed strings.
/// `ByteReader` reads them back.
public struct ByteWriter: Sendable {
    @usableFromInline var storage: [UInt8] = []

    public init() {}

    /// Everything written so far.
    @inlinable public var bytes: [UInt8] { storage }

    @inlinable public mutating func write(_ value: UInt8) {
        storage.append(value)
    }

    @inlinable public mutating func write(_ value: Bool) {
        storage.append(value ? 1 : 0)
    }

    @inlinable public mutating func writeBigEndian(_ value: UInt16) {
        storage.append(UInt8(value >> 8))
        storage.append(UInt8(value & 0xFF))
    }

    @inlinable public mutating func writeBigEndian(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            storage.append(UInt8((value >> UInt32(shift)) & 0xFF))
        }
    }

    @inlinable public mutating func writeBigEndian(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) {
            storage.append(UInt8((value >> UInt64(shift)) & 0xFF))
        }
    }

    /// Unsigned LEB128: seven bits per byte, high bit set on all but the last.
    @inlinable public mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            storage.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        storage.append(UInt8(rest))
    }

    /// A varint length, then the bytes.
    @inlinable public mutating func writeBytes(_ value: [UInt8]) {
        writeVarint(UInt64(value.count))
        storage.append(contentsOf: value)
    }

    /// A varint length, then the UTF-8 bytes.
    @inlinable public mutating func writeString(_ value: String) {
        writeVarint(UInt64(value.utf8.count))
        storage.append(contentsOf: value.utf8)
    }

    /// The bytes as they are, with no length: for fields whose length the reader knows.
    @inlinable public mutating func writeRaw(_ value: [UInt8]) {
        storage.append(contentsOf: value)
    }

    /// How many bytes `writeVarint(value)` appends; lets encoders size messages without writing them.
    @inlinable public static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest != 0 {
            size += 1
            rest >>= 7
        }
        return size
    }
}
