/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum at the end of every gossip frame.
///
/// It catches corruption and stray datagrams, not attackers: authenticity is the shell's AES-GCM layer.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    /// The checksum of `bytes[range]`; `checksum("123456789")` is 0xCBF43926.
    public static func checksum(_ bytes: [UInt8], range: Range<Int>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for index in range {
                crc = table[Int((crc ^ UInt32(bytes[index])) & 0xFF)] ^ (crc >> 8)
            }
        }
        return ~crc
    }
}
