/// Go's `strconv.Quote` and `unicode.IsPrint`, which template errors, `%q` and the `js` function depend on.
enum GoQuote {
    /// Whether Go's `unicode.IsPrint` holds: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrint(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value >= 0x20 && scalar.value < 0x7F }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator,
             .spaceSeparator:
            return false
        default:
            return true
        }
    }

    /// A double-quoted Go string literal for `text`, escaping what Go's `strconv.Quote` escapes.
    static func quote(_ text: String, quote: Character = "\"") -> String {
        var out = String(quote)
        for scalar in text.unicodeScalars {
            out += escape(scalar, quote: quote)
        }
        out.append(quote)
        return out
    }

    static func escape(_ scalar: Unicode.Scalar, quote: Character) -> String {
        if Character(scalar) == quote || scalar == "\\" { return "\\" + String(scalar) }
        if isPrint(scalar) { return String(scalar) }
        switch scalar {
        case "\u{07}": return "\\a"
        case "\u{08}": return "\\b"
        case "\u{0C}": return "\\f"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "\u{0B}": return "\\v"
        default:
            let v = scalar.value
            if v < 0x20 || v == 0x7F { return "\\x" + hex(v, width: 2) }
            if v < 0x10000 { return "\\u" + hex(v, width: 4) }
            return "\\U" + hex(v, width: 8)
        }
    }

    static func hex(_ value: UInt32, width: Int, uppercase: Bool = false) -> String {
        let digits = String(value, radix: 16, uppercase: uppercase)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Decodes a Go string literal (double-quoted or raw back-quoted), as `strconv.Unquote` does.
    /// - Throws: `TemplateError.syntax` with Go's "invalid syntax" when an escape is malformed.
    static func unquote(_ literal: String) throws(TemplateError) -> String {
        let bytes = Array(literal.utf8)
        guard bytes.count >= 2 else { throw TemplateError.syntax("invalid syntax") }
        if bytes[0] == UInt8(ascii: "`") {
            return String(decoding: bytes[1..<bytes.count - 1].filter { $0 != 0x0D }, as: UTF8.self)
        }
        var out: [UInt8] = []
        var i = 1
        let end = bytes.count - 1
        while i < end {
            let c = bytes[i]
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < end else { throw TemplateError.syntax("invalid syntax") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(e)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let width = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
                guard i + width <= end,
                      let value = UInt32(String(decoding: bytes[i..<i + width], as: UTF8.self), radix: 16)
                else { throw TemplateError.syntax("invalid syntax") }
                i += width
                if e == UInt8(ascii: "x") {
                    out.append(UInt8(value))
                } else {
                    guard let scalar = Unicode.Scalar(value) else { throw TemplateError.syntax("invalid syntax") }
                    out.append(contentsOf: String(Character(scalar)).utf8)
                }
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard i + 2 <= end,
                      let value = UInt32(String(decoding: bytes[i - 1..<i + 2], as: UTF8.self), radix: 8),
                      value < 256
                else { throw TemplateError.syntax("invalid syntax") }
                i += 2
                out.append(UInt8(value))
            default:
                throw TemplateError.syntax("invalid syntax")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
