import Foundation

/// A numeric constant in a template, typed the way Go's executor types an untyped constant (`idealConstant`):
/// text with `.`, `e` or `p` (and not hex) is a `float64`, other integers are `int`, a character constant is an `int`.
struct NumberLiteral: Sendable {
    enum Kind: Sendable {
        case int(Int)
        case float(Double)
        /// Parses but does not fit Go's `int`: an execution error ("overflows int") if ever evaluated.
        case overflow
    }

    let text: String
    let kind: Kind

    /// Parses `text` as Go's `parse.newNumber` does.
    /// - Throws: `TemplateError.syntax` with Go's message for illegal or overflowing numbers.
    init(text: String, isCharacter: Bool) throws(TemplateError) {
        self.text = text
        if isCharacter {
            let decoded = try GoQuote.unquote("\"" + text.dropFirst().dropLast() + "\"")
            guard decoded.unicodeScalars.count == 1, let scalar = decoded.unicodeScalars.first else {
                throw TemplateError.syntax("malformed character constant: \(text)")
            }
            kind = .int(Int(scalar.value))
            return
        }
        let looksFloat = text.contains(where: { ".eEpP".contains($0) })
            && !(Self.hasHexPrefix(text) && !text.contains(where: { $0 == "p" || $0 == "P" }))
        switch Self.parseInteger(text) {
        case .some(.some(let integer)):
            kind = looksFloat ? .float(Double(integer)) : .int(integer)
        case .some(.none):
            kind = .overflow
        case .none:
            let cleaned = text.replacingOccurrences(of: "_", with: "")
            guard !cleaned.hasSuffix("i"), let value = Double(cleaned) else {
                throw TemplateError.syntax("illegal number syntax: \(GoQuote.quote(text))")
            }
            guard looksFloat else { throw TemplateError.syntax("integer overflow: \(GoQuote.quote(text))") }
            kind = .float(value)
        }
    }

    private static func hasHexPrefix(_ text: String) -> Bool {
        let unsigned = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        return unsigned.hasPrefix("0x") || unsigned.hasPrefix("0X")
    }

    /// Go's `strconv.ParseInt(text, 0, 64)`: optional sign, base prefixes 0x/0o/0b or a leading 0 for octal,
    /// and underscores between digits only when a base prefix is present.
    /// Returns nil when the text is not an integer, `.some(nil)` when it fits `uint64` but not `int`.
    private static func parseInteger(_ text: String) -> Int?? {
        var body = Substring(text)
        var negative = false
        if let first = body.first, first == "+" || first == "-" {
            negative = first == "-"
            body = body.dropFirst()
        }
        var radix = 10
        let lower = body.lowercased()
        if lower.hasPrefix("0x") { radix = 16; body = body.dropFirst(2) }
        else if lower.hasPrefix("0o") { radix = 8; body = body.dropFirst(2) }
        else if lower.hasPrefix("0b") { radix = 2; body = body.dropFirst(2) }
        else if lower.hasPrefix("0"), lower.count > 1 { radix = 8; body = body.dropFirst() }
        let hasPrefix = radix != 10
        if body.contains("_") {
            // Go accepts underscores only between digits (or right after a base prefix).
            guard !body.hasSuffix("_"), !body.contains("__"), hasPrefix || !body.hasPrefix("_") else { return nil }
            body = Substring(body.replacingOccurrences(of: "_", with: ""))
        }
        guard !body.isEmpty, let magnitude = UInt64(body, radix: radix) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return .some(magnitude == UInt64(Int64.max) + 1 ? Int.min : -Int(magnitude))
        }
        guard magnitude <= UInt64(Int64.max) else { return .some(nil) }
        return .some(Int(magnitude))
    }
}
