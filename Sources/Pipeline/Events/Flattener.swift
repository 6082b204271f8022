import Templates

/// Jitsu's flattening: nested objects become columns joined with `_` (`{"user": {"id": 1}}` is `user_id`), arrays
/// are kept as their JSON text, and column names are lower-cased with every character outside `[a-z0-9_]` replaced by
/// `_`, so any SQL dialect accepts them quoted or not. When two paths meet in one name, the later key in sorted order
/// wins, so the result does not depend on dictionary order.
public enum Flattener {
    public static func flatten(_ event: [String: JSONValue]) -> Columns {
        var shapes = ColumnShapes()
        return flatten(event, shapes: &shapes)
    }

    /// Flattens `event`, giving it a shape from `shapes`: rows with the same keys share one.
    public static func flatten(_ event: [String: JSONValue], shapes: inout ColumnShapes) -> Columns {
        var names: [String] = []
        var values: [JSONValue] = []
        names.reserveCapacity(event.count)
        values.reserveCapacity(event.count)
        add(event, prefix: "", names: &names, values: &values)
        // Keys in sorted order, so a repeated name keeps the later key's value.
        return shapes.columns(names: names, values: values)
    }

    private static func add(_ object: [String: JSONValue], prefix: String, names: inout [String], values: inout [JSONValue]) {
        for key in object.keys.sorted() {
            let name = prefix.isEmpty ? columnName(key) : prefix + "_" + columnName(key)
            switch object[key]! {
            case .object(let nested): add(nested, prefix: name, names: &names, values: &values)
            case .array(let items):
                names.append(name)
                values.append(.string(EventJSON.text(.array(items))))
            case let value:
                names.append(name)
                values.append(value)
            }
        }
    }

    private static func isColumnName(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { bytes in
            for byte in bytes where !(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) && !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                && byte != UInt8(ascii: "_") {
                return false
            }
            return true
        }
    }

    /// A key as a column name.
    public static func columnName(_ key: String) -> String {
        // Most keys are column names already: no new string for them.
        if isColumnName(key) { return key }
        var out = ""
        out.unicodeScalars.reserveCapacity(key.utf8.count)
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9", "_": out.unicodeScalars.append(scalar)
            case "A"..."Z": out.unicodeScalars.append(Unicode.Scalar(scalar.value + 32)!)
            default: out.unicodeScalars.append("_")
            }
        }
        return out
    }
}
