/// Writes an event as JSON text for `JSValueMakeFromJSONString`, in UTF-16 as JavaScriptCore holds strings, into a
/// buffer the engine reuses, so that handing the event to JavaScript costs one pass over it, no `String` building,
/// and no UTF-8 validation and conversion inside JavaScriptCore.
///
/// The text parses to the same JavaScript value as `JSONValue.jsonText()` would: object keys in the same order
/// (sorted bytewise, as Go's `json.Marshal` writes them), the same strings and the same doubles. It is not Go's
/// text: `<`, `>`, `&`, U+2028 and U+2029 are written as they are, and numbers in any form that reads back exactly.
///
/// Not thread-safe: the engine uses one under its lock.
final class JavaScriptEventText {
    private var units: UnsafeMutablePointer<UInt16>
    private var capacity: Int
    private var count = 0
    /// An object member to write: its position, and its key's first bytes for sorting (see `prefix(of:)`).
    private typealias Member = (prefix: UInt64, index: Dictionary<String, JSONValue>.Index)
    /// The members of the objects being written, in writing order; see `pushSortedIndices`.
    private var order: [Member] = []

    init(capacity: Int = 4096) {
        self.capacity = capacity
        units = .allocate(capacity: capacity)
    }

    deinit {
        units.deallocate()
    }

    /// Writes the JSON text of `value`, replacing what the buffer held, and passes its UTF-16 code units to `body`.
    func withText<T>(of value: JSONValue, _ body: (UnsafePointer<UInt16>, Int) -> T) -> T {
        count = 0
        write(value)
        return body(units, count)
    }

    private func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(capacity * 2, count + extra)
        let new = UnsafeMutablePointer<UInt16>.allocate(capacity: grown)
        new.update(from: units, count: count)
        units.deallocate()
        units = new
        capacity = grown
    }

    private func append(_ byte: UInt8) {
        reserve(1)
        units[count] = UInt16(byte)
        count += 1
    }

    /// Appends ASCII bytes.
    private func append(_ source: UnsafeBufferPointer<UInt8>) {
        reserve(source.count)
        for byte in source {
            units[count] = UInt16(byte)
            count += 1
        }
    }

    private func append(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): writeNumber(number)
        case .string(let text): writeString(text)
        case .array(let elements):
            append(UInt8(ascii: "["))
            for index in elements.indices {
                if index > 0 { append(UInt8(ascii: ",")) }
                write(elements[index])
            }
            append(UInt8(ascii: "]"))
        case .object(let fields):
            append(UInt8(ascii: "{"))
            let start = order.count
            pushSortedIndices(of: fields)
            for position in start..<order.count {
                if position > start { append(UInt8(ascii: ",")) }
                let index = order[position].index
                writeString(fields.keys[index])
                append(UInt8(ascii: ":"))
                write(fields.values[index])
            }
            order.removeLast(order.count - start)
            append(UInt8(ascii: "}"))
        }
    }

    /// Appends the members' positions to `order`, with their keys' prefixes, in bytewise UTF-8 order of the keys,
    /// as `Value.sortedMembers` (and so `jsonText()`) orders them. Keys are compared by their first eight bytes as
    /// one integer, and in full only on a tie. The caller removes them when done; a nested object's entries go
    /// above its parent's, so one array serves the whole event without allocating.
    private func pushSortedIndices(of fields: [String: JSONValue]) {
        let start = order.count
        var index = fields.startIndex
        while index != fields.endIndex {
            order.append((Self.prefix(of: fields.keys[index]), index))
            fields.formIndex(after: &index)
        }
        guard order.count - start > 1 else { return }
        func precedes(_ left: Member, _ right: Member) -> Bool {
            if left.prefix != right.prefix { return left.prefix < right.prefix }
            return fields.keys[left.index].utf8.lexicographicallyPrecedes(fields.keys[right.index].utf8)
        }
        if order.count - start > Self.insertionSortLimit {
            order[start...].sort(by: precedes)
            return
        }
        // Events' objects are small, and on a few entries an insertion sort beats the library's generic sort.
        order.withUnsafeMutableBufferPointer { entries in
            for sorted in (start + 1)..<entries.count {
                let entry = entries[sorted]
                var slot = sorted
                while slot > start, precedes(entry, entries[slot - 1]) {
                    entries[slot] = entries[slot - 1]
                    slot -= 1
                }
                entries[slot] = entry
            }
        }
    }

    /// Objects with more members than this are sorted by the library's sort.
    private static let insertionSortLimit = 16

    /// A key's first eight UTF-8 bytes, big-endian and zero-padded, so that the integers order as the bytes do.
    private static func prefix(of key: String) -> UInt64 {
        func load(_ utf8: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var prefix: UInt64 = 0
            for index in 0..<min(utf8.count, 8) { prefix |= UInt64(utf8[index]) << UInt64(56 - 8 * index) }
            return prefix
        }
        if let prefix = key.utf8.withContiguousStorageIfAvailable(load) { return prefix }
        var copy = key
        return copy.withUTF8(load)
    }

    /// Integers up to 2^53 as plain digits; other finite numbers in Swift's shortest form that reads back to the
    /// same double (`1.5`, `1e-07`, `1e+21`, all valid JSON); anything else as `jsonText()` writes it.
    private func writeNumber(_ number: Double) {
        if number.magnitude < 9_007_199_254_740_992, number == number.rounded(.towardZero),
           !(number == 0 && number.sign == .minus) {
            var integer = Int64(number)
            if integer < 0 {
                append(UInt8(ascii: "-"))
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
                append(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[start...]))
            }
        } else {
            var text = number.isFinite ? number.description : GoFloat.json(number)
            text.withUTF8 { append($0) }
        }
    }

    /// A JSON string: `"` and `\` escaped, control characters as `\u00XX`, everything else as it is.
    private func writeString(_ text: String) {
        let start = count
        let ascii = text.utf8.withContiguousStorageIfAvailable { writeASCII($0) } ?? {
            var copy = text
            return copy.withUTF8 { writeASCII($0) }
        }()
        if !ascii {
            count = start
            writeUTF16(text)
        }
    }

    /// Writes the string when all its bytes are ASCII (each byte is then one UTF-16 unit); false otherwise.
    private func writeASCII(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        // Worst case: every byte becomes \u00XX. Locals keep the loop off the object's storage.
        reserve(utf8.count * 6 + 2)
        let output = units
        var end = count
        output[end] = UInt16(UInt8(ascii: "\""))
        end += 1
        for byte in utf8 {
            if byte >= 0x80 { return false }
            end = Self.put(UInt16(byte), into: output, at: end)
        }
        output[end] = UInt16(UInt8(ascii: "\""))
        count = end + 1
        return true
    }

    private func writeUTF16(_ text: String) {
        reserve(text.utf16.count * 6 + 2)
        let output = units
        var end = count
        output[end] = UInt16(UInt8(ascii: "\""))
        end += 1
        for unit in text.utf16 { end = Self.put(unit, into: output, at: end) }
        output[end] = UInt16(UInt8(ascii: "\""))
        count = end + 1
    }

    /// Writes one code unit of a string's content, escaped as JSON requires, and returns the next position.
    @inline(__always)
    private static func put(_ unit: UInt16, into output: UnsafeMutablePointer<UInt16>, at end: Int) -> Int {
        if unit >= 0x20, unit != UInt16(UInt8(ascii: "\"")), unit != UInt16(UInt8(ascii: "\\")) {
            output[end] = unit
            return end + 1
        }
        output[end] = UInt16(UInt8(ascii: "\\"))
        switch unit {
        case UInt16(UInt8(ascii: "\"")), UInt16(UInt8(ascii: "\\")): output[end + 1] = unit
        case UInt16(UInt8(ascii: "\n")): output[end + 1] = UInt16(UInt8(ascii: "n"))
        case UInt16(UInt8(ascii: "\r")): output[end + 1] = UInt16(UInt8(ascii: "r"))
        case UInt16(UInt8(ascii: "\t")): output[end + 1] = UInt16(UInt8(ascii: "t"))
        default:
            let hex: StaticString = "0123456789abcdef"
            output[end + 1] = UInt16(UInt8(ascii: "u"))
            output[end + 2] = UInt16(UInt8(ascii: "0"))
            output[end + 3] = UInt16(UInt8(ascii: "0"))
            output[end + 4] = UInt16(hex.utf8Start[Int(unit >> 4)])
            output[end + 5] = UInt16(hex.utf8Start[Int(unit & 0xf)])
            return end + 6
        }
        return end + 2
    }
}
