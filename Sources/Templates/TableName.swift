import Foundation

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
        let replaced = text.replacingOccurrences(of: "<no value>", with: "null")
        var out = ""
        for scalar in replaced.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().unicodeScalars {
            let isAllowed = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            out.unicodeScalars.append(isAllowed ? scalar : "_")
        }
        return out
    }
}
