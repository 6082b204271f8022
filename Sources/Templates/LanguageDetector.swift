/// Jitsu's choice of language for an expression, so Jitsu users get the same answers:
/// 1. it parses as a Go template and is not plain text: Go;
/// 2. it is a plain SQL identifier (`^(?:[a-zA-Z][a-zA-Z0-9_$#]*[.]?)+$`), a quoted identifier, or an http(s) URL:
///    a constant;
/// 3. otherwise JavaScript.
public enum LanguageDetector {
    /// The detected language and, for Go, the compiled template; for JavaScript, why Go parsing failed (if it did).
    public enum Detection: Sendable {
        case go(GoTemplate)
        case constant
        case javascript(goError: TemplateError?)
    }

    /// Detects the language of `expression`, parsing it as a Go template with `parse` (a cache, in production).
    public static func detect(_ expression: String,
                              parse: (String) throws(TemplateError) -> GoTemplate) -> Detection {
        var goError: TemplateError?
        do {
            let template = try parse(expression)
            if !template.isPlainText { return .go(template) }
        } catch {
            goError = error
        }
        if isConstant(expression) { return .constant }
        return .javascript(goError: goError)
    }

    /// Whether `expression` is used as it is: an SQL identifier (dots allowed between parts), a quoted
    /// identifier, or an http(s) URL.
    public static func isConstant(_ expression: String) -> Bool {
        isIdentifier(expression) || isQuotedIdentifier(expression) || isURL(expression)
    }

    /// `^(?:[a-zA-Z][a-zA-Z0-9_$#]*[.]?)+$`: parts that start with a letter, each optionally ended by one dot.
    static func isIdentifier(_ text: String) -> Bool {
        var expectingStart = true
        for byte in text.utf8 {
            let isLetter = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            if expectingStart {
                guard isLetter else { return false }
                expectingStart = false
            } else if byte == UInt8(ascii: ".") {
                expectingStart = true
            } else {
                let isDigit = (0x30...0x39).contains(byte)
                guard isLetter || isDigit || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$")
                    || byte == UInt8(ascii: "#") else { return false }
            }
        }
        return !text.isEmpty
    }

    /// A double-quoted or back-quoted name with no quote of the same kind inside.
    static func isQuotedIdentifier(_ text: String) -> Bool {
        guard text.count >= 3, let first = text.first, first == "\"" || first == "`", text.last == first else {
            return false
        }
        return !text.dropFirst().dropLast().contains(first)
    }

    static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let prefix = lower.hasPrefix("https://") ? 8 : (lower.hasPrefix("http://") ? 7 : 0)
        return prefix > 0 && text.count > prefix && !text.contains(where: \.isWhitespace)
    }
}
