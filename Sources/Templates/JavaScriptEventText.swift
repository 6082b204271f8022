/// Writes an event as UTF-8 JSON text for `JSValueMakeFromJSONString`, into a buffer the engine reuses, so that
/// handing the event to JavaScript costs one pass over it and no `String` building.
///
/// The text parses to the same JavaScript value as `JSONValue.jsonText()` would: object keys in the same order
/// (sorted bytewise, as Go's `json.Marshal` writes them), the same strings and the same doubles. It is not Go's
/// text: `<`, `>`, `&`, U+2028 and U+2029 are written as they are, and numbers in any form that reads back exactly.
enum JavaScriptEventText {
    /// Replaces `buffer`'s contents with the JSON text of `value` followed by a NUL, keeping its capacity.
    static func write(_ value: JSONValue, into buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        write(value, to: &buffer)
        buffer.append(0)
    }

    private static func write(_ value: JSONValue, to buffer: inout [UInt8]) {
        switch value {
        case .null: append("null", to: &buffer)
        case .bool(let flag): append(flag ? "true" : "false", to: &buffer)
        case .number(let number): writeNumber(number, to: &buffer)
        case .string(let text): writeString(text, to: &buffer)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                write(element, to: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let fields):
            buffer.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in sortedMembers(fields) {
                if !first { buffer.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, to: &buffer)
                buffer.append(UInt8(ascii: ":"))
                write(member, to: &buffer)
            }
            buffer.append(UInt8(ascii: "}"))
        }
    }

    /// Members with keys in bytewise UTF-8 order, as `Value.sortedMembers` (and so `jsonText()`) orders them.
    private static func sortedMembers(_ fields: [String: JSONValue]) -> [(key: String, value: JSONValue)] {
        var members = Array(fields)
        if members.count > 1 {
            members.sort { left, right in precedes(left.key, right.key) }
        }
        return members
    }

    private static func precedes(_ left: String, _ right: String) -> Bool {
        var left = left, right = right
        return left.withUTF8 { l in
            right.withUTF8 { r in
                let common = min(l.count, r.count)
                var index = 0
                while index < common {
                    if l[index] != r[index] { return l[index] < r[index] }
                    index += 1
                }
                return l.count < r.count
            }
        }
    }

    private static func append(_ literal: StaticString, to buffer: inout [UInt8]) {
        literal.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    /// Integers up to 2^53 as plain digits; other finite numbers in Swift's shortest form that reads back to the
    /// same double (`1.5`, `1e-07`, `1e+21`, all valid JSON); anything else as `jsonText()` writes it.
    private static func writeNumber(_ number: Double, to buffer: inout [UInt8]) {
        if number.magnitude < 9_007_199_254_740_992, number == number.rounded(.towardZero),
           !(number == 0 && number.sign == .minus) {
            var integer = Int64(number)
            if integer < 0 {
                buffer.append(UInt8(ascii: "-"))
                integer = -integer
            }
            // At most 16 digits below 2^53.
            var digits: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &digits) { raw in
                var start = raw.count
                repeat {
                    start -= 1
                    raw[start] = UInt8(ascii: "0") + UInt8(integer % 10)
                    integer /= 10
                } while integer > 0
                buffer.append(contentsOf: raw[start...])
            }
        } else if number.isFinite {
            var text = number.description
            text.withUTF8 { buffer.append(contentsOf: $0) }
        } else {
            var text = GoFloat.json(number)
            text.withUTF8 { buffer.append(contentsOf: $0) }
        }
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\u00XX`, everything else as its UTF-8 bytes.
    private static func writeString(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        buffer.append(UInt8(ascii: "\""))
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                start = index + 1
                buffer.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): buffer.append(byte)
                case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "t"))
                default:
                    let hex: StaticString = "0123456789abcdef"
                    buffer.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                               hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 0xf)]])
                }
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        buffer.append(UInt8(ascii: "\""))
    }
}
