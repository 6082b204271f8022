/// Where a topic's log lives under `<data_dir>/topics`: `<eventType>/<namespace>/<topic>`, each name
/// percent-encoded except letters, digits, `-`, `_` and an inner `.`, so any name is one safe path segment.
enum TopicDirectory {
    static func path(of name: TopicName) -> String {
        [name.eventType, name.namespace, name.topic].map(encode).joined(separator: "/")
    }

    /// The topic of a relative path `path(of:)` wrote; nil for anything else.
    static func name(of path: String) -> TopicName? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let decoded = Optional(parts.compactMap(decode)), decoded.count == 3,
              parts == decoded.map(encode) else { return nil }
        return TopicName(eventType: decoded[0], namespace: decoded[1], topic: decoded[2])
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    static func encode(_ segment: String) -> String {
        var out: [UInt8] = []
        for (index, byte) in segment.utf8.enumerated() {
            let plain = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || (byte == UInt8(ascii: ".") && index > 0)
            if plain {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ segment: String) -> String? {
        var out: [UInt8] = []
        var bytes = segment.utf8.makeIterator()
        while let byte = bytes.next() {
            guard byte == UInt8(ascii: "%") else { out.append(byte); continue }
            guard let high = bytes.next().flatMap(digit), let low = bytes.next().flatMap(digit) else { return nil }
            out.append(high << 4 | low)
        }
        guard !out.isEmpty else { return nil }
        return String(validating: out, as: UTF8.self)
    }

    private static func digit(_ byte: UInt8) -> UInt8? {
        hex.firstIndex(of: byte).map(UInt8.init)
    }
}
