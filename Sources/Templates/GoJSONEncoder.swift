/// Writes values as Go's `encoding/json` does (`json.Marshal`, `json.MarshalIndent(v, "", indent)`): map keys
/// sorted, HTML-sensitive characters escaped, `float64` in Go's JSON number form, times as RFC 3339 strings.
/// Jitsu's `json`, `json_indent` and `json_indent_quote` template functions print through it.
struct GoJSONEncoder {
    let indent: String
    private(set) var output = ""

    init(indent: String) {
        self.indent = indent
    }

    mutating func write(_ value: Value, depth: Int = 0) {
        switch value {
        case .missing, .null: output += "null"
        case .bool(let b): output += b ? "true" : "false"
        case .int(let n): output += String(n)
        case .byte(let n): output += String(n)
        case .float(let f): output += GoFloat.json(f)
        case .string(let s): writeString(s)
        case .time(let time): writeString(time.format(GoTime.rfc3339Nano))
        case .array(let elements):
            writeContainer("[", "]", count: elements.count, depth: depth) { encoder, i in
                encoder.write(Value(elements[i]), depth: depth + 1)
            }
        case .object(let fields, let timestamp):
            let members = Value.sortedMembers(fields, timestamp: timestamp)
            let separator = indent.isEmpty ? ":" : ": "
            writeContainer("{", "}", count: members.count, depth: depth) { encoder, i in
                encoder.writeString(members[i].key)
                encoder.output += separator
                encoder.write(members[i].value, depth: depth + 1)
            }
        }
    }

    private mutating func newline(depth: Int) {
        guard !indent.isEmpty else { return }
        output += "\n" + String(repeating: indent, count: depth)
    }

    private mutating func writeContainer(_ open: String, _ close: String, count: Int, depth: Int,
                                         element: (inout GoJSONEncoder, Int) -> Void) {
        output += open
        guard count > 0 else {
            output += close
            return
        }
        for i in 0..<count {
            if i > 0 { output += "," }
            newline(depth: depth + 1)
            element(&self, i)
        }
        newline(depth: depth)
        output += close
    }

    private mutating func writeString(_ s: String) {
        output += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            // Go escapes these so JSON can sit inside HTML and JavaScript source safely.
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                output += "\\u" + GoQuote.hex(scalar.value, width: 4)
            default:
                if scalar.value < 0x20 {
                    output += "\\u" + GoQuote.hex(scalar.value, width: 4)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
