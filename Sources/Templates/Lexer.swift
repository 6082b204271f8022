/// Splits template text into tokens with the states and error texts of Go's `text/template/parse/lex.go`.
/// Lexing stops at the first error, which becomes the last token, so the parser reports it only when it gets there.
struct Lexer {
    private let input: [UInt8]
    private var start = 0
    private var position = 0
    private var parenDepth = 0
    private(set) var tokens: [Token] = []

    private static let leftDelim = Array("{{".utf8)
    private static let rightDelim = Array("}}".utf8)
    private static let leftComment = Array("/*".utf8)
    private static let rightComment = Array("*/".utf8)

    private enum State { case text, leftDelim, insideAction, rightDelim, done }

    /// Lexes the whole input at once; templates are compiled once and cached, so this is not on the hot path.
    static func tokens(of input: [UInt8]) -> [Token] {
        var lexer = Lexer(input: input)
        lexer.run()
        return lexer.tokens
    }

    private init(input: [UInt8]) {
        self.input = input
    }

    private mutating func run() {
        var state = State.text
        while state != .done {
            switch state {
            case .text: state = lexText()
            case .leftDelim: state = lexLeftDelim()
            case .insideAction: state = lexInsideAction()
            case .rightDelim: state = lexRightDelim()
            case .done: break
            }
        }
    }

    // MARK: helpers

    private func hasPrefix(_ prefix: [UInt8], at offset: Int) -> Bool {
        guard offset + prefix.count <= input.count else { return false }
        for (i, byte) in prefix.enumerated() where input[offset + i] != byte { return false }
        return true
    }

    private func find(_ needle: [UInt8], from offset: Int) -> Int? {
        var i = offset
        while i + needle.count <= input.count {
            if hasPrefix(needle, at: i) { return i }
            i += 1
        }
        return nil
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    private func byte(at offset: Int) -> UInt8? {
        offset < input.count ? input[offset] : nil
    }

    /// Decodes the character at an offset, with its length in bytes; nil at the end of input.
    private func scalar(at offset: Int) -> (Unicode.Scalar, Int)? {
        guard offset < input.count else { return nil }
        let lead = input[offset]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        var iterator = input[offset...].makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            return (scalar, UTF8.width(scalar))
        }
        return ("\u{FFFD}", 1)
    }

    private static func isAlphaNumeric(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let v = scalar.value
            return v == 0x5F || (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v)
        }
        return scalar.properties.isAlphabetic && scalar.properties.generalCategory != .letterNumber
            || scalar.properties.generalCategory == .decimalNumber
    }

    private func hasLeftTrimMarker(at offset: Int) -> Bool {
        guard offset + 1 < input.count else { return false }
        return input[offset] == UInt8(ascii: "-") && Self.isSpace(input[offset + 1])
    }

    private func hasRightTrimMarker(at offset: Int) -> Bool {
        guard offset + 1 < input.count else { return false }
        return Self.isSpace(input[offset]) && input[offset + 1] == UInt8(ascii: "-")
    }

    private func atRightDelim() -> (delim: Bool, trim: Bool) {
        if hasRightTrimMarker(at: position), hasPrefix(Self.rightDelim, at: position + 2) { return (true, true) }
        if hasPrefix(Self.rightDelim, at: position) { return (true, false) }
        return (false, false)
    }

    private mutating func emit(_ kind: Token.Kind) {
        tokens.append(Token(kind: kind, position: start,
                            value: String(decoding: input[start..<position], as: UTF8.self)))
        start = position
    }

    private mutating func fail(_ message: String) -> State {
        tokens.append(Token(kind: .error, position: start, value: message))
        return .done
    }

    private func atTerminator() -> Bool {
        guard let byte = byte(at: position) else { return true }
        if Self.isSpace(byte) { return true }
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "|"), UInt8(ascii: ":"), UInt8(ascii: ")"),
             UInt8(ascii: "("):
            return true
        default:
            return hasPrefix(Self.rightDelim, at: position)
        }
    }

    /// Go's `%#U` form of a character, used in "bad character" errors.
    private static func describe(_ scalar: Unicode.Scalar?) -> String {
        guard let scalar else { return "U+FFFFFFFF" }
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        return GoQuote.isPrint(scalar) ? "\(code) '\(Character(scalar))'" : code
    }

    // MARK: states

    private mutating func lexText() -> State {
        if let found = find(Self.leftDelim, from: position) {
            var trimmed = found
            if hasLeftTrimMarker(at: found + 2) {
                while trimmed > start, Self.isSpace(input[trimmed - 1]) { trimmed -= 1 }
            }
            position = trimmed
            if position > start { emit(.text) }
            position = found
            start = position
            return .leftDelim
        }
        position = input.count
        if position > start { emit(.text) }
        emit(.eof)
        return .done
    }

    private mutating func lexLeftDelim() -> State {
        position += 2
        let trim = hasLeftTrimMarker(at: position)
        let afterMarker = trim ? 2 : 0
        if hasPrefix(Self.leftComment, at: position + afterMarker) {
            position += afterMarker
            start = position
            return lexComment()
        }
        emit(.leftDelim)
        position += afterMarker
        start = position
        parenDepth = 0
        return .insideAction
    }

    private mutating func lexComment() -> State {
        position += 2
        guard let end = find(Self.rightComment, from: position) else { return fail("unclosed comment") }
        position = end + 2
        let (delim, trim) = atRightDelim()
        guard delim else { return fail("comment ends before closing delimiter") }
        position += (trim ? 2 : 0) + 2
        if trim { skipLeadingSpace() }
        start = position
        return .text
    }

    private mutating func skipLeadingSpace() {
        while position < input.count, Self.isSpace(input[position]) { position += 1 }
    }

    private mutating func lexRightDelim() -> State {
        let trim = hasRightTrimMarker(at: position)
        if trim {
            position += 2
            start = position
        }
        position += 2
        emit(.rightDelim)
        if trim {
            skipLeadingSpace()
            start = position
        }
        return .text
    }

    private mutating func lexInsideAction() -> State {
        if atRightDelim().delim {
            return parenDepth == 0 ? .rightDelim : fail("unclosed left paren")
        }
        guard let (scalar, width) = scalar(at: position) else { return fail("unclosed action") }
        let c = scalar.value
        if c < 0x80, Self.isSpace(UInt8(c)) { return lexSpace() }
        position += width
        switch scalar {
        case "=": emit(.assign)
        case ":":
            guard byte(at: position) == UInt8(ascii: "=") else {
                if position < input.count { position += 1 }
                return fail("expected :=")
            }
            position += 1
            emit(.declare)
        case "|": emit(.pipe)
        case "\"": return lexQuote()
        case "`": return lexRawQuote()
        case "$": return lexVariable()
        case "'": return lexChar()
        case ".":
            if let next = byte(at: position), next < UInt8(ascii: "0") || next > UInt8(ascii: "9") {
                return lexFieldOrVariable(.field)
            }
            position -= 1
            return lexNumber()
        case "+", "-", "0"..."9":
            position -= 1
            return lexNumber()
        case "(":
            emit(.leftParen)
            parenDepth += 1
        case ")":
            emit(.rightParen)
            parenDepth -= 1
            if parenDepth < 0 { return fail("unexpected right paren \(Self.describe(scalar))") }
        case _ where Self.isAlphaNumeric(scalar):
            position -= width
            return lexIdentifier()
        case _ where c < 0x80 && GoQuote.isPrint(scalar):
            emit(.char)
        default:
            return fail("unrecognized character in action: \(Self.describe(scalar))")
        }
        return .insideAction
    }

    private mutating func lexSpace() -> State {
        var count = 0
        while let byte = byte(at: position), Self.isSpace(byte) {
            position += 1
            count += 1
        }
        // A space may begin a trim-marked closing delimiter " -}}": give it back to the delimiter.
        if hasRightTrimMarker(at: position - 1), hasPrefix(Self.rightDelim, at: position + 1) {
            position -= 1
            if count == 1 { return .rightDelim }
        }
        emit(.space)
        return .insideAction
    }

    private mutating func scanAlphaNumerics() -> Unicode.Scalar? {
        while let (scalar, width) = scalar(at: position) {
            guard Self.isAlphaNumeric(scalar) else { return scalar }
            position += width
        }
        return nil
    }

    private mutating func lexIdentifier() -> State {
        let stopper = scanAlphaNumerics()
        guard atTerminator() else { return fail("bad character \(Self.describe(stopper))") }
        let word = String(decoding: input[start..<position], as: UTF8.self)
        if let keyword = Token.Kind.keywords[word] {
            emit(keyword)
        } else if word == "true" || word == "false" {
            emit(.bool)
        } else {
            emit(.identifier)
        }
        return .insideAction
    }

    private mutating func lexVariable() -> State {
        if atTerminator() {
            emit(.variable)
            return .insideAction
        }
        return lexFieldOrVariable(.variable)
    }

    private mutating func lexFieldOrVariable(_ kind: Token.Kind) -> State {
        if atTerminator() {
            emit(kind == .variable ? .variable : .dot)
            return .insideAction
        }
        let stopper = scanAlphaNumerics()
        guard atTerminator() else { return fail("bad character \(Self.describe(stopper))") }
        emit(kind)
        return .insideAction
    }

    private mutating func lexChar() -> State {
        while true {
            guard let byte = byte(at: position) else { return fail("unterminated character constant") }
            position += 1
            switch byte {
            case UInt8(ascii: "\\"):
                guard let escaped = self.byte(at: position), escaped != 0x0A else {
                    return fail("unterminated character constant")
                }
                position += 1
            case 0x0A:
                return fail("unterminated character constant")
            case UInt8(ascii: "'"):
                emit(.charConstant)
                return .insideAction
            default:
                break
            }
        }
    }

    private mutating func lexQuote() -> State {
        while true {
            guard let byte = byte(at: position) else { return fail("unterminated quoted string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\\"):
                guard let escaped = self.byte(at: position), escaped != 0x0A else {
                    return fail("unterminated quoted string")
                }
                position += 1
            case 0x0A:
                return fail("unterminated quoted string")
            case UInt8(ascii: "\""):
                emit(.string)
                return .insideAction
            default:
                break
            }
        }
    }

    private mutating func lexRawQuote() -> State {
        guard let end = input[position...].firstIndex(of: UInt8(ascii: "`")) else {
            position = input.count
            return fail("unterminated raw quoted string")
        }
        position = end + 1
        emit(.rawString)
        return .insideAction
    }

    private mutating func accept(_ valid: String) -> Bool {
        if let byte = byte(at: position), valid.utf8.contains(byte) {
            position += 1
            return true
        }
        return false
    }

    private mutating func acceptRun(_ valid: String) {
        while accept(valid) {}
    }

    private mutating func scanNumber() -> Bool {
        _ = accept("+-")
        var digits = "0123456789_"
        if accept("0") {
            if accept("xX") {
                digits = "0123456789abcdefABCDEF_"
            } else if accept("oO") {
                digits = "01234567_"
            } else if accept("bB") {
                digits = "01_"
            }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if digits.count == 11, accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if digits.count == 23, accept("pP") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        _ = accept("i")
        if let (scalar, width) = scalar(at: position), Self.isAlphaNumeric(scalar) {
            position += width
            return false
        }
        return true
    }

    private mutating func lexNumber() -> State {
        let text = { (lexer: Lexer) in String(decoding: lexer.input[lexer.start..<lexer.position], as: UTF8.self) }
        guard scanNumber() else { return fail("bad number syntax: \(GoQuote.quote(text(self)))") }
        if let sign = byte(at: position), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            guard scanNumber(), input[position - 1] == UInt8(ascii: "i") else {
                return fail("bad number syntax: \(GoQuote.quote(text(self)))")
            }
            emit(.complex)
        } else {
            emit(.number)
        }
        return .insideAction
    }
}
