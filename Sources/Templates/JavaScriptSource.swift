/// Turns a user's JavaScript expression into function bodies to try, in order, so that each expression is compiled
/// once into a function of `($, _)` and the value of its last statement is what the function returns:
/// 1. a single expression (`$.event_type`, an object literal `{a: 1}`) returned as is;
/// 2. statements whose last statement is an expression (`var a = $.x; a + "_t"`): that statement is returned;
/// 3. the text as a function body, for code with its own top-level `return`.
enum JavaScriptSource {
    private static let statementKeywords = ["return", "var", "let", "const", "if", "for", "while", "do", "switch",
                                            "try", "function", "class", "throw", "break", "continue", "}"]

    static func candidateBodies(for expression: String) -> [String] {
        var trimmed = Substring(expression)
        while let last = trimmed.last, last.isWhitespace || last == ";" { trimmed.removeLast() }
        var bodies = ["return (\(trimmed)\n);"]
        for boundary in statementBoundaries(in: trimmed).reversed().prefix(3) {
            let last = trimmed[boundary...].trimmingPrefix(while: \.isWhitespace)
            let startsWithKeyword = statementKeywords.contains { keyword in
                last.hasPrefix(keyword) && (last.count == keyword.count
                    || !(last[last.index(last.startIndex, offsetBy: keyword.count)].isLetter))
            }
            if !last.isEmpty, !startsWithKeyword {
                bodies.append("\(trimmed[..<boundary])\nreturn (\(last)\n);")
            }
        }
        bodies.append(String(expression))
        return bodies
    }

    /// Offsets just after each top-level `;`, `}` or line break: places where a new statement may start. Strings,
    /// template literals, comments and brackets are skipped; regular expression literals are not recognised, which
    /// only costs a failed candidate.
    private static func statementBoundaries(in text: Substring) -> [String.Index] {
        var boundaries: [String.Index] = []
        var depth = 0
        var index = text.startIndex
        func advance() { index = text.index(after: index) }
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index) < text.endIndex ? text[text.index(after: index)] : nil
            switch character {
            case "\"", "'", "`":
                advance()
                while index < text.endIndex, text[index] != character {
                    if text[index] == "\\" { advance() }
                    if index < text.endIndex { advance() }
                }
            case "/" where next == "/":
                while index < text.endIndex, !text[index].isNewline { advance() }
                continue
            case "/" where next == "*":
                advance()
                advance()
                while index < text.endIndex, !(text[index] == "*" && text[text.index(after: index)...].first == "/") {
                    advance()
                }
                if index < text.endIndex { advance() }
            case "(", "[", "{":
                depth += 1
            case ")", "]", "}":
                depth -= 1
                if character == "}", depth == 0 { boundaries.append(text.index(after: index)) }
            case ";" where depth == 0, _ where character.isNewline && depth == 0:
                boundaries.append(text.index(after: index))
            default:
                break
            }
            if index < text.endIndex { advance() }
        }
        return boundaries
    }
}
