/// One lexical item of a template, with Go's item kinds (`text/template/parse/lex.go`) so parse errors read the same.
struct Token {
    enum Kind: Equatable {
        case error, bool, char, charConstant, complex, assign, declare, eof, field, identifier, leftDelim, leftParen
        case number, pipe, rawString, rightDelim, rightParen, space, string, text, variable
        // Keywords; Go prints these as `<word>` in "unexpected" errors.
        case block, breakKeyword, continueKeyword, dot, define, elseKeyword, end, ifKeyword, nilKeyword, range
        case template, with

        var isKeyword: Bool {
            switch self {
            case .block, .breakKeyword, .continueKeyword, .dot, .define, .elseKeyword, .end, .ifKeyword, .nilKeyword,
                 .range, .template, .with:
                return true
            default:
                return false
            }
        }

        static let keywords: [String: Kind] = [
            ".": .dot, "block": .block, "break": .breakKeyword, "continue": .continueKeyword, "define": .define,
            "else": .elseKeyword, "end": .end, "if": .ifKeyword, "range": .range, "nil": .nilKeyword,
            "template": .template, "with": .with,
        ]
    }

    let kind: Kind
    /// Byte offset of the token in the template text; Go reports it as the column of execution errors.
    let position: Int
    /// The token's text, or the message of an error token.
    let value: String
}

extension Token: CustomStringConvertible {
    /// The token as Go's `item.String` shows it in parse errors.
    var description: String {
        switch kind {
        case .eof: return "EOF"
        case .error: return value
        case _ where kind.isKeyword: return "<\(value)>"
        default:
            // Go's "%.10q" quotes at most the first ten characters of a long token.
            if value.count > 10 { return GoQuote.quote(String(value.prefix(10))) + "..." }
            return GoQuote.quote(value)
        }
    }
}
