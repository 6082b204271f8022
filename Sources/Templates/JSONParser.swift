/// Parses JSON text into a `JSONValue` following RFC 8259, with Go's choices where the RFC leaves room: numbers
/// become `Double` by correct rounding, a repeated key keeps its last value, and invalid UTF-8 is rejected.
struct JSONParser {
    private let bytes: [UInt8]
    /// The text is `bytes[textStart..<textEnd]`; offsets in errors count from `textStart`.
    private let textStart: Int
    private let textEnd: Int
    private var index: Int
    /// Nesting depth is bounded so hostile input cannot overflow the stack (Go's decoder stops at 10000).
    private static let maximumDepth = 512

    init(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    init(bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        (textStart, textEnd) = range.map { ($0.lowerBound, $0.upperBound) } ?? (0, bytes.count)
        index = textStart
    }

    mutating func parse() throws(TemplateError) -> JSONValue {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == textEnd else { throw failure("invalid character after top-level value") }
        return value
    }

    private func failure(_ reason: String) -> TemplateError {
        .invalidJSON("\(reason) at offset \(index - textStart)")
    }

    private mutating func skipWhitespace() {
        while index < textEnd {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
            index += 1
        }
    }

    private mutating func parseValue(depth: Int) throws(TemplateError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw failure("nesting too deep") }
        skipWhitespace()
        guard index < textEnd else { throw failure("unexpected end of JSON input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        default: return .number(try parseNumber())
        }
    }

    private mutating func expectWord(_ word: String) throws(TemplateError) {
        for byte in word.utf8 {
            guard index < textEnd, bytes[index] == byte else { throw failure("invalid literal") }
            index += 1
        }
    }

    /// An object's `"key":`, up to its value.
    private mutating func parseKey() throws(TemplateError) -> String {
        skipWhitespace()
        guard index < textEnd, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected object key") }
        let key = try parseString()
        skipWhitespace()
        guard index < textEnd, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
        index += 1
        return key
    }

    /// After an object's value: true at its closing `}`, false after a `,` (another key follows).
    private mutating func closesObject() throws(TemplateError) -> Bool {
        skipWhitespace()
        guard index < textEnd else { throw failure("unexpected end of JSON input") }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return false
        }
        guard bytes[index] == UInt8(ascii: "}") else { throw failure("expected ',' or '}'") }
        index += 1
        return true
    }

    private mutating func parseObject(depth: Int) throws(TemplateError) -> JSONValue {
        index += 1
        var object: [String: JSONValue] = [:]
        skipWhitespace()
        if index < textEnd, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            let key = try parseKey()
            object[key] = try parseValue(depth: depth + 1)
            if try closesObject() { return .object(object) }
        }
    }

    /// What `parseFlattened` found: the leaves in the order of the text, and the names of the nested objects.
    struct Flattened {
        /// Each leaf's name, beside its value in `values`. A name may repeat (a key repeated, or two paths that
        /// meet in one name): the caller then settles it by flattening the parsed tree.
        var names: [String] = []
        var values: [JSONValue] = []
        /// The name of each nested object, as the prefix of its leaves: one that repeats or is also a leaf's name
        /// means a key was repeated or renamed onto an object, which only the tree settles too.
        var objects: [String] = []
        /// The values of the top-level keys the caller asked for, in the order asked (nil: absent or an object).
        var captured: [JSONValue?] = []
    }

    /// Parses one JSON object straight into its leaves, without building nested objects: a nested object's leaves
    /// are named `naming(prefix, key)` with the object's own name as the prefix (`""` at the top). Arrays are
    /// leaves, passed through `array`. Throws for invalid JSON and for anything but an object.
    mutating func parseFlattened(naming: (String, String) -> String, array: (JSONValue) -> JSONValue,
                                 capture: [String]) throws(TemplateError) -> Flattened {
        skipWhitespace()
        guard index < textEnd, bytes[index] == UInt8(ascii: "{") else { throw failure("expected an object") }
        var flattened = Flattened(captured: Array(repeating: nil, count: capture.count))
        flattened.names.reserveCapacity(16)
        flattened.values.reserveCapacity(16)
        try flattenObject(prefix: "", depth: 0, naming: naming, array: array, capture: capture, into: &flattened)
        skipWhitespace()
        guard index == textEnd else { throw failure("invalid character after top-level value") }
        return flattened
    }

    /// Parses one JSON object and flattens the object under its top-level key `member` as `parseFlattened` does
    /// (with `capture` naming that object's keys); the other values are parsed only to check them. One pass for
    /// what a scan for the member and a parse of it did: a fallback line's `event` in its wrapper. Gives the
    /// range of the member's text, nil when it is absent or not an object (a repeated member: the last one), and
    /// the other top-level keys.
    mutating func parseFlattened(member: String, naming: (String, String) -> String, array: (JSONValue) -> JSONValue,
                                 capture: [String]) throws(TemplateError) -> (flattened: Flattened, range: Range<Int>?, keys: [String]) {
        skipWhitespace()
        guard index < textEnd, bytes[index] == UInt8(ascii: "{") else { throw failure("expected an object") }
        index += 1
        let empty = Flattened(captured: Array(repeating: nil, count: capture.count))
        var (flattened, range, keys) = (empty, Range<Int>?.none, [String]())
        skipWhitespace()
        if index < textEnd, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                let key = try parseKey()
                skipWhitespace()
                if key == member {
                    (flattened, range) = (empty, nil)
                    if index < textEnd, bytes[index] == UInt8(ascii: "{") {
                        let start = index
                        flattened.names.reserveCapacity(16)
                        flattened.values.reserveCapacity(16)
                        try flattenObject(prefix: "", depth: 0, naming: naming, array: array, capture: capture, into: &flattened)
                        range = start..<index
                    } else {
                        _ = try parseValue(depth: 1)
                    }
                } else {
                    keys.append(key)
                    _ = try parseValue(depth: 1)
                }
                if try closesObject() { break }
            }
        }
        skipWhitespace()
        guard index == textEnd else { throw failure("invalid character after top-level value") }
        return (flattened, range, keys)
    }

    private mutating func flattenObject(prefix: String, depth: Int, naming: (String, String) -> String, array: (JSONValue) -> JSONValue,
                                       capture: [String], into flattened: inout Flattened) throws(TemplateError) {
        guard depth < Self.maximumDepth else { throw failure("nesting too deep") }
        index += 1
        skipWhitespace()
        if index < textEnd, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            let key = try parseKey()
            skipWhitespace()
            let name = naming(prefix, key)
            if index < textEnd, bytes[index] == UInt8(ascii: "{") {
                flattened.objects.append(name)
                if depth == 0, let slot = capture.firstIndex(of: key) { flattened.captured[slot] = nil }
                try flattenObject(prefix: name, depth: depth + 1, naming: naming, array: array, capture: capture, into: &flattened)
            } else {
                var value = try parseValue(depth: depth + 1)
                if depth == 0, let slot = capture.firstIndex(of: key) { flattened.captured[slot] = value }
                if case .array = value { value = array(value) }
                flattened.names.append(name)
                flattened.values.append(value)
            }
            if try closesObject() { return }
        }
    }

    private mutating func parseArray(depth: Int) throws(TemplateError) -> JSONValue {
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if index < textEnd, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(array)
        }
        while true {
            array.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < textEnd else { throw failure("unexpected end of JSON input") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "]") else { throw failure("expected ',' or ']'") }
            index += 1
            return .array(array)
        }
    }

    private mutating func parseNumber() throws(TemplateError) -> Double {
        let start = index
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.index
            while parser.index < parser.textEnd, (0x30...0x39).contains(parser.bytes[parser.index]) { parser.index += 1 }
            return parser.index - from
        }
        if index < textEnd, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits(&self)
        guard integerDigits > 0 else { throw failure("invalid character in number") }
        if integerDigits > 1, bytes[integerStart] == UInt8(ascii: "0") { throw failure("leading zero in number") }
        let isInteger = index == textEnd || (bytes[index] != UInt8(ascii: ".") && bytes[index] | 0x20 != UInt8(ascii: "e"))
        // Integers of up to 15 digits are exact as doubles: no text and no strtod for them (ids, counts).
        if isInteger, integerDigits <= 15 {
            var magnitude: Int64 = 0
            for byte in bytes[integerStart..<index] { magnitude = magnitude * 10 + Int64(byte &- 0x30) }
            return integerStart == start ? Double(magnitude) : -Double(magnitude)
        }
        if index < textEnd, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw failure("invalid fraction in number") }
        }
        if index < textEnd, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < textEnd, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw failure("invalid exponent in number") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        // Go rejects numbers that overflow float64 ("cannot unmarshal number ... into Go value of type float64").
        guard let value = Double(text), value.isFinite else { throw failure("number \(text) out of range") }
        return value
    }

    private mutating func parseString() throws(TemplateError) -> String {
        index += 1
        // Most strings have no escapes: find the closing quote and validate the slice in place.
        var end = index
        var ascii = true
        while end < textEnd, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
            if bytes[end] >= 0x80 { ascii = false }
            end += 1
        }
        if end < textEnd, bytes[end] == UInt8(ascii: "\"") {
            let string: String
            if ascii {
                // ASCII needs no validation; decoding from a buffer skips the generic validating path, which was a
                // third of parsing an event.
                string = bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[index..<end]), as: UTF8.self) }
            } else {
                guard let validated = String(validating: bytes[index..<end], as: UTF8.self) else { throw failure("invalid UTF-8") }
                string = validated
            }
            index = end + 1
            return string
        }
        var scalars: [UInt8] = []
        while true {
            guard index < textEnd else { throw failure("unterminated string") }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: scalars, as: UTF8.self) else { throw failure("invalid UTF-8") }
                return string
            case UInt8(ascii: "\\"):
                guard index < textEnd else { throw failure("unterminated string") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"): scalars.append(contentsOf: try parseUnicodeEscape())
                default: throw failure("invalid escape in string")
                }
            case 0..<0x20:
                throw failure("control character in string")
            default:
                scalars.append(byte)
            }
        }
    }

    private mutating func parseHex4() throws(TemplateError) -> UInt32 {
        guard index + 4 <= textEnd,
              let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        else { throw failure("invalid \\u escape") }
        index += 4
        return value
    }

    /// Decodes `\uXXXX`, joining surrogate pairs; a lone surrogate becomes U+FFFD as in Go.
    private mutating func parseUnicodeEscape() throws(TemplateError) -> [UInt8] {
        var code = try parseHex4()
        if (0xD800..<0xDC00).contains(code), index + 1 < textEnd,
           bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
            let saved = index
            index += 2
            let low = try parseHex4()
            if (0xDC00..<0xE000).contains(low) {
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else {
                index = saved
            }
        }
        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
        return Array(String(Character(scalar)).utf8)
    }
}
