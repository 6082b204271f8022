import Glibc
import Templates

/// Writes an event's JSON object text as COPY cells (`CopyCells`), one per leaf of its flattening in document order,
/// and names the column of each (`CopyLayout`): what `FlatEvent` and `PostgresCopyPlan` make of the event, without
/// a string, number or tree per value (those were most of a replay's time). The layout is looked up by the event's
/// keys, so the events of one shape name their columns once.
///
/// It declines (nil, nothing appended) what only the parser and `Flattener` settle: arrays, escaped or repeated keys,
/// names that meet, numbers a double may not hold, invalid UTF-8, deep nesting. Pure; one per thread.
struct JSONCopyTranscoder {
    /// The keys of the event being read, each followed by a marker for what its value is: what picks the layout.
    private var keys: [UInt8] = []
    /// Layouts by keys; nil for keys only the general path flattens.
    private var layouts: [Keys: CopyLayout?] = [:]
    private var last: (keys: [UInt8], layout: CopyLayout)?
    /// Beyond this many layouts the cache starts over, as `ColumnShapes` does.
    private static let capacity = 256
    private static let maximumDepth = 64

    /// Markers in `keys`, below any byte a JSON key holds unescaped.
    private enum Marker {
        static let leaf: UInt8 = 1
        static let object: UInt8 = 2
        static let end: UInt8 = 3
    }

    /// Appends the cells of the event `json` (a JSON object; valid UTF-8 is checked here) to `cells` and returns
    /// their columns, or appends nothing and returns nil when it declines.
    mutating func append(_ json: UnsafeBufferPointer<UInt8>, to cells: inout CopyCells) -> CopyLayout? {
        let start = cells.count
        keys.removeAll(keepingCapacity: true)
        var reader = Reader(bytes: json)
        reader.skipWhitespace()
        guard reader.readObject(depth: 0, keys: &keys, cells: &cells), reader.atEnd, let layout = layout() else {
            cells.truncate(to: start)
            return nil
        }
        return layout
    }

    private mutating func layout() -> CopyLayout? {
        if let last, Self.same(last.keys, keys) { return last.layout }
        let layout: CopyLayout?
        if let known = layouts[Keys(bytes: keys)] {
            layout = known
        } else {
            layout = Self.layout(of: keys)
            if layouts.count >= Self.capacity { layouts.removeAll(keepingCapacity: true) }
            layouts[Keys(bytes: keys)] = layout
        }
        if let layout { last = (keys, layout) }
        return layout
    }

    /// The columns of the leaves `keys` lists, named as `FlatEvent` names them; nil where it would go to the tree
    /// (a leaf's name repeats, or an object's repeats or is a leaf's).
    private static func layout(of keys: [UInt8]) -> CopyLayout? {
        var prefixes = [""]
        var leaves: [String] = []
        var objects: [String] = []
        var start = 0
        for (index, byte) in keys.enumerated() where byte < 0x20 {
            defer { start = index + 1 }
            guard byte != Marker.end else {
                prefixes.removeLast()
                continue
            }
            let key = Flattener.columnName(String(decoding: keys[start..<index], as: UTF8.self))
            let name = prefixes.last!.isEmpty ? key : prefixes.last! + "_" + key
            if byte == Marker.leaf {
                leaves.append(name)
            } else {
                objects.append(name)
                prefixes.append(name)
            }
        }
        let leafNames = Set(leaves)
        guard leafNames.count == leaves.count, Set(objects).count == objects.count, leafNames.isDisjoint(with: objects) else { return nil }
        return CopyLayout(columns: leaves.map(PostgresIdentifier.fitted))
    }

    private static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.isEmpty || a.withUnsafeBytes { a in b.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }

    /// Keys hashed as bytes at once, not byte by byte as an array hashes.
    private struct Keys: Hashable {
        let bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }

        static func == (lhs: Keys, rhs: Keys) -> Bool { JSONCopyTranscoder.same(lhs.bytes, rhs.bytes) }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool {
            mutating get {
                skipWhitespace()
                return index == bytes.count
            }
        }

        private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }

        /// Reads the object at `index`, adding its keys and its leaves' cells.
        mutating func readObject(depth: Int, keys: inout [UInt8], cells: inout CopyCells) -> Bool {
            guard depth < JSONCopyTranscoder.maximumDepth, peek() == UInt8(ascii: "{") else { return false }
            index += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                return true
            }
            while true {
                guard peek() == UInt8(ascii: "\""), let key = readKey() else { return false }
                keys.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[key]))
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { return false }
                index += 1
                skipWhitespace()
                guard let first = peek() else { return false }
                switch first {
                case UInt8(ascii: "{"):
                    keys.append(Marker.object)
                    guard readObject(depth: depth + 1, keys: &keys, cells: &cells) else { return false }
                    keys.append(Marker.end)
                case UInt8(ascii: "\""):
                    keys.append(Marker.leaf)
                    let start = cells.text.count
                    guard readString(into: &cells.text) else { return false }
                    let isTimestamp = cells.text.withUnsafeBufferPointer { RFC3339.isTimestamp(UnsafeBufferPointer(rebasing: $0[start...])) }
                    cells.close(kind: (isTimestamp ? ColumnKind.timestamp : .text).bit)
                case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                    keys.append(Marker.leaf)
                    guard readWord(into: &cells) else { return false }
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    keys.append(Marker.leaf)
                    guard readNumber(into: &cells) else { return false }
                default:
                    return false
                }
                skipWhitespace()
                if peek() == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                    continue
                }
                guard peek() == UInt8(ascii: "}") else { return false }
                index += 1
                return true
            }
        }

        /// A key without escapes: its bytes, quotes excluded.
        private mutating func readKey() -> Range<Int>? {
            let start = index + 1
            index = JSONText.stringRunEnd(in: bytes, from: start)
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let key = start..<index
            guard Self.isUTF8(UnsafeBufferPointer(rebasing: bytes[key])) else { return nil }
            index += 1
            return key
        }

        /// Reads the string at `index` into `text` as COPY text: decoded from JSON, escaped for COPY.
        private mutating func readString(into text: inout [UInt8]) -> Bool {
            index += 1
            while true {
                let start = index
                // A run without escapes holds nothing COPY escapes either (JSON strings hold no control characters).
                index = JSONText.stringRunEnd(in: bytes, from: start)
                guard index < bytes.count else { return false }
                let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
                guard Self.isUTF8(run) else { return false }
                text.append(contentsOf: run)
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index += 1
                    return true
                case UInt8(ascii: "\\"):
                    guard index + 1 < bytes.count else { return false }
                    let escape = bytes[index + 1]
                    index += 2
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "/"): text.append(escape)
                    case UInt8(ascii: "\\"): text.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                    case UInt8(ascii: "b"): text.append(0x08)
                    case UInt8(ascii: "f"): text.append(0x0C)
                    case UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): text.append(contentsOf: [UInt8(ascii: "\\"), escape])
                    case UInt8(ascii: "u"):
                        guard let scalar = readUnicodeEscape() else { return false }
                        var decoded = String(Character(scalar))
                        decoded.withUTF8 { CopyText.appendEscaped($0, to: &text) }
                    default: return false
                    }
                default:
                    return false
                }
            }
        }

        /// The scalar of `XXXX` after `\u` (and of a following `\uXXXX` when the two are a surrogate pair); a
        /// lone surrogate is U+FFFD, as the parser has it.
        private mutating func readUnicodeEscape() -> Unicode.Scalar? {
            guard var code = hex4() else { return nil }
            if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                let saved = index
                index += 2
                guard let low = hex4() else { return nil }
                if (0xDC00..<0xE000).contains(low) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    index = saved
                }
            }
            return Unicode.Scalar(code) ?? "\u{FFFD}"
        }

        private mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var code: UInt32 = 0
            for byte in UnsafeBufferPointer(rebasing: bytes[index..<index + 4]) {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                code = code << 4 | UInt32(digit)
            }
            index += 4
            return code
        }

        /// Reads `true`, `false` or `null`.
        private mutating func readWord(into cells: inout CopyCells) -> Bool {
            let (word, kind): (StaticString, UInt8) = switch bytes[index] {
            case UInt8(ascii: "t"): ("true", ColumnKind.boolean.bit)
            case UInt8(ascii: "f"): ("false", ColumnKind.boolean.bit)
            default: ("null", 0)
            }
            let utf8 = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard index + utf8.count <= bytes.count, UnsafeBufferPointer(rebasing: bytes[index..<index + utf8.count]).elementsEqual(utf8) else { return false }
            index += utf8.count
            if kind != 0 { cells.text.append(contentsOf: utf8) }
            cells.close(kind: kind)
            return true
        }

        /// Reads a number as the parser does, written as `CopyCells.appendNumber` writes its double.
        private mutating func readNumber(into cells: inout CopyCells) -> Bool {
            let start = index
            func digits(_ reader: inout Reader) -> Int {
                let from = reader.index
                while reader.index < reader.bytes.count, (0x30...0x39).contains(reader.bytes[reader.index]) { reader.index += 1 }
                return reader.index - from
            }
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            let integerStart = index
            let integerDigits = digits(&self)
            guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { return false }
            let isInteger = index == bytes.count || (bytes[index] != UInt8(ascii: ".") && bytes[index] | 0x20 != UInt8(ascii: "e"))
            // Up to 15 digits a double holds the integer exactly and prints it as written (`-0` as `0`).
            if isInteger, integerDigits <= 15 {
                let literal = bytes[integerStart] == UInt8(ascii: "0") ? integerStart..<index : start..<index
                cells.text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[literal]))
                cells.close(kind: ColumnKind.integer.bit)
                return true
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let fraction = index..<(index + digits(&self))
                guard !fraction.isEmpty else { return false }
                let hasExponent = index < bytes.count && bytes[index] | 0x20 == UInt8(ascii: "e")
                if !hasExponent, printsAsWritten(integer: integerStart..<(fraction.lowerBound - 1), fraction: fraction) {
                    cells.text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    cells.close(kind: ColumnKind.float.bit)
                    return true
                }
            }
            if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits(&self) > 0 else { return false }
            }
            guard let number = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)), number.isFinite else { return false }
            CopyCells.appendNumber(number, to: &cells.text)
            cells.close(kind: ColumnKind(of: .number(number))!.bit)
            return true
        }

        /// Whether the decimal `integer.fraction` is printed as written: up to 15 significant digits are the
        /// shortest text of their double (no two such decimals share one), with no trailing zero, and not so
        /// small (below 0.0001) that Swift prints it with an exponent. Such a value is never whole.
        private func printsAsWritten(integer: Range<Int>, fraction: Range<Int>) -> Bool {
            guard bytes[fraction.upperBound - 1] != UInt8(ascii: "0") else { return false }
            guard integer.count == 1, bytes[integer.lowerBound] == UInt8(ascii: "0") else { return integer.count + fraction.count <= 15 }
            let zeros = fraction.prefix { bytes[$0] == UInt8(ascii: "0") }.count
            return zeros <= 3 && fraction.count - zeros <= 15
        }

        private static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            if JSONText.isASCII(bytes) { return true }
            var parser = Unicode.UTF8.ForwardParser()
            var iterator = bytes.makeIterator()
            while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid: continue
                case .emptyInput: return true
                case .error: return false
                }
            }
        }
    }
}
