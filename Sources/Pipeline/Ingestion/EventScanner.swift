import Glibc
import Templates

/// Checks an event request's JSON without building it: RFC 8259 grammar, nesting depth, and (for top-level objects)
/// which of the keys enrichment cares about are present. Ingestion then writes the event's own bytes to the log
/// with the enrichment fields appended, instead of parsing into a tree and encoding it again, which was most of a
/// request's cost. A repeated key counts by its last occurrence, as the parser that reads the log later decides.
///
/// Pure and allocation-free apart from its results; UTF-8 validity is checked by the caller for the whole body.
struct EventScanner {
    /// What enrichment must know of one top-level object.
    struct Object: Equatable {
        /// The object's bytes, braces included.
        var range: Range<Int>
        var isEmpty = true
        /// `_timestamp` is present and not null.
        var hasTimestamp = false
        /// `eventn_ctx_event_id` is a non-empty string.
        var hasEventID = false
        /// `user_agent` is present (any value).
        var hasUserAgent = false
        /// Where `event` holds an object (a fallback line's event): its bytes, braces included.
        var eventRange: Range<Int>?
        /// `event` holds an object.
        var eventIsObject: Bool { eventRange != nil }
        /// `malformed_event` is present (a fallback line that keeps a record that was never an event).
        var hasMalformedEvent = false
        /// Where the last `_timestamp`, `eventn_ctx_event_id` and `api_key` hold strings: their bytes, quotes included.
        var timestampString: Range<Int>?
        var eventIDString: Range<Int>?
        var apiKeyString: Range<Int>?
        /// A number has an exponent or more than 308 digits, or values nest deeper than 64: whether the parser
        /// reads the object (a double's range, its own depth bound) is for the parser to say.
        var needsParser = false
    }

    struct Failure: Error, Equatable {
        let reason: String
        let offset: Int
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private static let maximumDepth = 512
    /// Set by what makes `Object.needsParser`.
    private var needsParser = false
    private static let plainDepth = 64

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// One JSON value spanning all of `bytes` (whitespace around it allowed): an object, or (with `arrays`) an
    /// array whose elements are all objects. Returns the objects in order.
    mutating func scanBody(arrays: Bool = true) throws(Failure) -> [Object] {
        skipWhitespace()
        var objects: [Object] = []
        switch peek() {
        case UInt8(ascii: "{"):
            objects.append(try scanTopObject())
        case UInt8(ascii: "[") where arrays:
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                index += 1
            } else {
                while true {
                    skipWhitespace()
                    guard peek() == UInt8(ascii: "{") else { throw failure("an array element is not a JSON object") }
                    objects.append(try scanTopObject())
                    skipWhitespace()
                    if peek() == UInt8(ascii: ",") { index += 1; continue }
                    guard peek() == UInt8(ascii: "]") else { throw failure("expected , or ] in array") }
                    index += 1
                    break
                }
            }
        case nil:
            throw failure("unexpected end of JSON input")
        default:
            try scanValue(depth: 0)
            throw Failure(reason: "the body is not a JSON object", offset: 0)
        }
        try expectEnd()
        return objects
    }

    /// The one JSON object spanning all of `bytes` (whitespace around it allowed), as `scanBody(arrays: false)`
    /// finds it, without an array to answer with (a line of a replay, a record of the log).
    mutating func scanObjectBody() throws(Failure) -> Object {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else {
            _ = try scanBody(arrays: false)  // Throws why: not JSON, or not an object.
            throw Failure(reason: "the body is not a JSON object", offset: 0)
        }
        let object = try scanTopObject()
        try expectEnd()
        return object
    }

    private mutating func expectEnd() throws(Failure) {
        skipWhitespace()
        guard index == bytes.count else { throw failure("invalid character after top-level value") }
    }

    /// The string whose JSON text is `json[range]`, quotes included.
    static func string(_ range: Range<Int>?, in json: [UInt8]) -> String? {
        guard let range else { return nil }
        let inner = json[(range.lowerBound + 1)..<(range.upperBound - 1)]
        guard inner.contains(UInt8(ascii: "\\")) else { return String(decoding: inner, as: UTF8.self) }
        return (try? JSONValue(parsingBytes: Array(json[range])))?.stringValue
    }

    private func failure(_ reason: String) -> Failure { Failure(reason: reason, offset: index) }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func scanTopObject() throws(Failure) -> Object {
        var object = Object(range: index..<index)
        try scanObject(depth: 1) { key, valueStart, scanner in
            object.isEmpty = false
            let string = scanner.bytes[valueStart] == UInt8(ascii: "\"") ? valueStart..<scanner.index : nil
            switch key {
            case .timestamp:
                object.hasTimestamp = !scanner.isNull(from: valueStart)
                object.timestampString = string
            case .eventID:
                object.hasEventID = scanner.isNonEmptyString(from: valueStart)
                object.eventIDString = string
            case .userAgent: object.hasUserAgent = true
            case .event: object.eventRange = scanner.bytes[valueStart] == UInt8(ascii: "{") ? valueStart..<scanner.index : nil
            case .malformedEvent: object.hasMalformedEvent = true
            case .apiKey: object.apiKeyString = string
            case .other: break
            }
        }
        object.range = object.range.lowerBound..<index
        object.needsParser = needsParser
        return object
    }

    enum Key { case timestamp, eventID, userAgent, event, malformedEvent, apiKey, other }

    /// Scans `{...}` at `index`; for a top-level object (depth 1) reports each key and where its value began.
    private mutating func scanObject(depth: Int, visit: (Key, Int, EventScanner) -> Void = { _, _, _ in }) throws(Failure) {
        guard depth <= Self.maximumDepth else { throw failure("nesting too deep") }
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw failure("expected object key") }
            let keyStart = index + 1
            let plain = try scanString()
            let key = depth == 1 ? classify(keyStart..<(index - 1), plain: plain) : .other
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw failure("expected : after object key") }
            index += 1
            skipWhitespace()
            let valueStart = index
            try scanValue(depth: depth)
            if depth == 1 { visit(key, valueStart, self) }
            skipWhitespace()
            if peek() == UInt8(ascii: ",") { index += 1; continue }
            guard peek() == UInt8(ascii: "}") else { throw failure("expected , or } in object") }
            index += 1
            return
        }
    }

    /// Which key the raw bytes name; a key written with escapes is never one of ours unless it decodes to it,
    /// which enrichment then treats as absent (the appended field wins as the last occurrence, or duplicates it).
    private func classify(_ range: Range<Int>, plain: Bool) -> Key {
        guard plain else { return .other }
        func equals(_ key: StaticString) -> Bool {
            memcmp(bytes.baseAddress! + range.lowerBound, key.utf8Start, range.count) == 0
        }
        switch range.count {
        case 5: return equals("event") ? .event : .other
        case 7: return equals("api_key") ? .apiKey : .other
        case 10: return equals("_timestamp") ? .timestamp : equals("user_agent") ? .userAgent : .other
        case 15: return equals("malformed_event") ? .malformedEvent : .other
        case 19: return equals("eventn_ctx_event_id") ? .eventID : .other
        default: return .other
        }
    }

    private func isNull(from start: Int) -> Bool { bytes[start] == UInt8(ascii: "n") }

    private func isNonEmptyString(from start: Int) -> Bool {
        bytes[start] == UInt8(ascii: "\"") && start + 1 < bytes.count && bytes[start + 1] != UInt8(ascii: "\"")
    }

    private mutating func scanValue(depth: Int) throws(Failure) {
        if depth >= Self.plainDepth { needsParser = true }
        switch peek() {
        case UInt8(ascii: "{"): try scanObject(depth: depth + 1)
        case UInt8(ascii: "["):
            guard depth + 1 <= Self.maximumDepth else { throw failure("nesting too deep") }
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { index += 1; return }
            while true {
                skipWhitespace()
                try scanValue(depth: depth + 1)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { index += 1; continue }
                guard peek() == UInt8(ascii: "]") else { throw failure("expected , or ] in array") }
                index += 1
                return
            }
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "t"): try expect("true")
        case UInt8(ascii: "f"): try expect("false")
        case UInt8(ascii: "n"): try expect("null")
        case nil: throw failure("unexpected end of JSON input")
        default: try scanNumber()
        }
    }

    private mutating func expect(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("invalid literal") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw failure("invalid literal") }
        index += count
    }

    /// Scans a string at `index` (at its opening quote); returns whether it had no escapes.
    private mutating func scanString() throws(Failure) -> Bool {
        index += 1
        var plain = true
        while true {
            index = JSONText.stringRunEnd(in: bytes, from: index)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return plain
            case UInt8(ascii: "\\"):
                plain = false
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    continue
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count, (index..<(index + 4)).allSatisfy({ Self.isHex(bytes[$0]) }) else {
                        throw failure("invalid \\u escape")
                    }
                    index += 4
                default:
                    throw failure("invalid escape in string")
                }
            default:
                throw failure("control character in string")
            }
        }
        throw failure("unterminated string")
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
    }

    private mutating func scanNumber() throws(Failure) {
        func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            return index - start
        }
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), first >= 48, first <= 57 else { throw failure("invalid character looking for beginning of value") }
        if first == 48 { index += 1 } else if digits() > 308 { needsParser = true }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw failure("invalid number") }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            needsParser = true
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw failure("invalid number") }
        }
    }
}
