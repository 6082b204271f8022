/// Jitsu's `reformat` rules for table names, applied to an expression's result when asked:
/// the result as text, `<no value>` replaced by `null`, trimmed, lowercased, and every character outside
/// `[a-z0-9]` replaced by `_` (one per character, no collapsing). The data plane skips events whose table name is
/// `""`, `null` or `false`.
public enum TableName {
    /// The text of a result before reformatting: strings as they are, numbers in shortest decimal form, booleans,
    /// and `null` for null, arrays and objects.
    public static func text(of value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .number(let number): return GoFloat.json(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null, .array, .object: return "null"
        }
    }

    /// Applies the table-name rules to a result's text.
    public static func reformat(_ text: String) -> String {
        // The standard library alone: Foundation's replace and trim were most of naming a table per event.
        let replaced = text.contains("<no value>") ? text.replacing("<no value>", with: "null") : text
        let scalars = replaced.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        var out = ""
        for scalar in String(scalars[first...last]).lowercased().unicodeScalars {
            let isAllowed = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            out.unicodeScalars.append(isAllowed ? scalar : "_")
        }
        return out
    }
}
