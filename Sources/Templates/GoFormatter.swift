import Foundation

/// Go's `fmt.Sprint`, `Sprintln` and `Sprintf` over template values, for `print`, `println`, `printf` and for
/// printing action results. Covers the verbs templates use (`%v %s %d %f %e %g %q %x %X %t %c %o %b %U %%`), flags,
/// widths and precisions, and Go's error forms (`%!d(string=a)`, `%!v(MISSING)`, `%!(EXTRA ...)`).
struct GoFormatter {
    private struct Flags {
        var minus = false, plus = false, sharp = false, space = false, zero = false
        var width: Int?
        var precision: Int?
    }

    private var out = ""
    private var flags = Flags()

    /// The value as `%v` prints it; nil (a missing value) is `<nil>`.
    static func display(_ value: Value) -> String {
        // Most actions print a string, which %v prints as it is; this skips building a formatter.
        if case .string(let text) = value { return text }
        var formatter = GoFormatter()
        formatter.print(value, verb: "v")
        return formatter.out
    }

    /// Go's `fmt.Sprint`: spaces between operands when neither side is a string.
    static func sprint(_ values: [Value]) -> String {
        var formatter = GoFormatter()
        var previousIsString = false
        for (i, value) in values.enumerated() {
            let isString = if case .string = value { true } else { false }
            if i > 0, !isString, !previousIsString { formatter.out += " " }
            formatter.print(value, verb: "v")
            previousIsString = isString
        }
        return formatter.out
    }

    /// Go's `fmt.Sprintln`: spaces between all operands and a final newline.
    static func sprintln(_ values: [Value]) -> String {
        values.map(display).joined(separator: " ") + "\n"
    }

    /// Go's `fmt.Sprintf`.
    static func sprintf(_ format: String, _ values: [Value]) -> String {
        var formatter = GoFormatter()
        formatter.run(Array(format.unicodeScalars), values)
        return formatter.out
    }

    private mutating func run(_ format: [Unicode.Scalar], _ values: [Value]) {
        var argument = 0
        var i = 0
        while i < format.count {
            guard format[i] == "%" else {
                out.unicodeScalars.append(format[i])
                i += 1
                continue
            }
            i += 1
            flags = Flags()
            flagLoop: while i < format.count {
                switch format[i] {
                case "#": flags.sharp = true
                case "0": flags.zero = !flags.minus
                case "+": flags.plus = true
                case "-": flags.minus = true; flags.zero = false
                case " ": flags.space = true
                default: break flagLoop
                }
                i += 1
            }
            flags.width = readNumber(format, &i)
            if i < format.count, format[i] == "." {
                i += 1
                flags.precision = readNumber(format, &i) ?? 0
            }
            guard i < format.count else {
                out += "%!(NOVERB)"
                break
            }
            let verb = format[i]
            i += 1
            if verb == "%" {
                out += "%"
                continue
            }
            // "%+v" asks for field names in structs, not for signs (Go's plusV).
            if verb == "v", flags.plus { flags.plus = false }
            guard argument < values.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            print(values[argument], verb: verb)
            argument += 1
        }
        if argument < values.count {
            flags = Flags()
            out += "%!(EXTRA "
            for (n, value) in values[argument...].enumerated() {
                if n > 0 { out += ", " }
                if case .missing = value {
                    out += "<nil>"
                } else {
                    out += value.typeName + "="
                    print(value, verb: "v")
                }
            }
            out += ")"
        }
    }

    private func readNumber(_ format: [Unicode.Scalar], _ i: inout Int) -> Int? {
        var value: Int?
        while i < format.count, let digit = format[i].properties.numericType == .decimal ? Int(String(format[i])) : nil {
            value = (value ?? 0) * 10 + digit
            i += 1
        }
        return value
    }

    // MARK: values

    private mutating func badVerb(_ verb: Unicode.Scalar, _ value: Value) {
        out += "%!\(verb)("
        switch value {
        case .missing, .null:
            out += "<nil>"
        default:
            out += value.typeName + "="
            print(value, verb: "v")
        }
        out += ")"
    }

    private mutating func print(_ value: Value, verb: Unicode.Scalar) {
        switch value {
        case .missing, .null:
            if verb == "v" { pad("<nil>") } else { badVerb(verb, value) }
        case .bool(let b):
            if verb == "v" || verb == "t" { pad(b ? "true" : "false") } else { badVerb(verb, value) }
        case .int(let n):
            formatInteger(n, verb: verb, value: value)
        case .byte(let n):
            formatInteger(Int(n), verb: verb, value: value)
        case .float(let f):
            formatFloat(f, verb: verb, value: value)
        case .string(let s):
            formatString(s, verb: verb, value: value)
        case .time(let time):
            // time.Time is a fmt.Stringer: the string verbs print its String().
            if "vsqxX".unicodeScalars.contains(verb) { formatString(time.description, verb: verb, value: value) } else {
                badVerb(verb, value)
            }
        case .array(let elements):
            out += "["
            for (i, element) in elements.enumerated() {
                if i > 0 { out += " " }
                printElement(Value(element), verb: verb)
            }
            out += "]"
        case .object(let fields, let timestamp):
            out += "map["
            for (i, member) in Value.sortedMembers(fields, timestamp: timestamp).enumerated() {
                if i > 0 { out += " " }
                print(.string(member.key), verb: verb)
                out += ":"
                printElement(member.value, verb: verb)
            }
            out += "]"
        }
    }

    /// Elements of slices and maps are interfaces: a nil one prints `<nil>` whatever the verb.
    private mutating func printElement(_ value: Value, verb: Unicode.Scalar) {
        if case .null = value { pad("<nil>") } else { print(value, verb: verb) }
    }

    /// Pads to the width with spaces (or zeros with the 0 flag), on the left unless the minus flag is set.
    private mutating func pad(_ text: String) {
        guard let width = flags.width, text.count < width else {
            out += text
            return
        }
        let padding = String(repeating: flags.zero ? "0" : " ", count: width - text.count)
        out += flags.minus ? text + padding : padding + text
    }

    /// Pads a signed number, putting zero padding after the sign as Go does.
    private mutating func padNumber(_ text: String) {
        guard flags.zero, !flags.minus, let width = flags.width, text.count < width else {
            pad(text)
            return
        }
        let signed = text.first == "-" || text.first == "+" || text.first == " "
        let zeros = String(repeating: "0", count: width - text.count)
        out += signed ? String(text.first!) + zeros + text.dropFirst() : zeros + text
    }

    private func signed(_ text: String, negative: Bool) -> String {
        if negative { return "-" + text }
        if flags.plus { return "+" + text }
        if flags.space { return " " + text }
        return text
    }

    private mutating func formatInteger(_ n: Int, verb: Unicode.Scalar, value: Value) {
        let magnitude = n.magnitude
        var digits: String
        switch verb {
        case "v", "d": digits = String(magnitude)
        case "x": digits = String(magnitude, radix: 16); if flags.sharp { digits = "0x" + digits }
        case "X": digits = String(magnitude, radix: 16, uppercase: true); if flags.sharp { digits = "0X" + digits }
        case "o": digits = String(magnitude, radix: 8); if flags.sharp { digits = "0" + digits }
        case "O": digits = "0o" + String(magnitude, radix: 8)
        case "b": digits = String(magnitude, radix: 2)
        case "c":
            pad(Unicode.Scalar(UInt32(truncatingIfNeeded: n)).map { String(Character($0)) } ?? "\u{FFFD}")
            return
        case "q":
            let scalar = Unicode.Scalar(UInt32(truncatingIfNeeded: n)) ?? "\u{FFFD}"
            pad("'" + GoQuote.escape(scalar, quote: "'") + "'")
            return
        case "U":
            pad("U+" + GoQuote.hex(UInt32(truncatingIfNeeded: n), width: 4, uppercase: true))
            return
        default:
            badVerb(verb, value)
            return
        }
        if let precision = flags.precision {
            if precision == 0, n == 0 { digits = "" }
            if digits.count < precision { digits = String(repeating: "0", count: precision - digits.count) + digits }
            let saved = flags.zero
            flags.zero = false
            padNumber(signed(digits, negative: n < 0))
            flags.zero = saved
            return
        }
        padNumber(signed(digits, negative: n < 0))
    }

    private mutating func formatFloat(_ f: Double, verb: Unicode.Scalar, value: Value) {
        if verb == "v" || (verb == "g" || verb == "G") && flags.precision == nil {
            var text = GoFloat.shortest(f.magnitude)
            if verb == "G" { text = text.uppercased() }
            padNumber(signed(text, negative: f.sign == .minus))
            return
        }
        if verb == "x" || verb == "X" {
            var text = GoFloat.hexadecimal(f.magnitude)
            if verb == "X" { text = text.uppercased() }
            padNumber(signed(text, negative: f.sign == .minus))
            return
        }
        switch verb {
        case "e", "E", "f", "F", "g", "G":
            // With an explicit precision Go's output matches C's printf, which rounds the exact binary value too.
            var spec = "%"
            if flags.plus { spec += "+" }
            if flags.space { spec += " " }
            if flags.sharp { spec += "#" }
            spec += ".\(flags.precision ?? 6)\(verb == "F" ? "f" : String(verb))"
            padNumber(Self.printf(spec, f))
        default:
            badVerb(verb, value)
        }
    }

    /// C's printf of one double, without Foundation's `String(format:)`, which took half of the time of a
    /// 20-line template's `printf "%.2f"`.
    private static func printf(_ spec: String, _ value: Double) -> String {
        spec.withCString { format in
            let small = 128
            let (text, needed) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: small) { buffer in
                let count = Int(withVaList([value]) { vsnprintf(buffer.baseAddress, small, format, $0) })
                return (count < small ? String(cString: buffer.baseAddress!) : nil, count)
            }
            if let text { return text }
            // %f of a large number, or a large precision: the exact size, known now.
            var buffer = [CChar](repeating: 0, count: needed + 1)
            _ = withVaList([value]) { vsnprintf(&buffer, needed + 1, format, $0) }
            return String(cString: buffer)
        }
    }

    private mutating func formatString(_ s: String, verb: Unicode.Scalar, value: Value) {
        var text = s
        if let precision = flags.precision, verb != "x", verb != "X" { text = String(text.prefix(precision)) }
        switch verb {
        case "v", "s": pad(text)
        case "q": pad(flags.sharp && !text.contains("`") ? "`" + text + "`" : GoQuote.quote(text))
        case "x", "X":
            var bytes = Array(s.utf8)
            if let precision = flags.precision { bytes = Array(bytes.prefix(precision)) }
            let hex = bytes.map { GoQuote.hex(UInt32($0), width: 2, uppercase: verb == "X") }
            pad(hex.joined(separator: flags.space ? " " : ""))
        default: badVerb(verb, value)
        }
    }
}
