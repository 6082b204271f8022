extension DifferentialCorpus {
    /// SplitMix64: a fixed seed gives the same generated corpus on every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let operands = [
        ".n", ".f", ".big", ".small", ".neg", ".zero", ".t", ".no", ".nul", ".missing", ".s", ".empty", ".uni",
        ".arr", ".nums", ".strs", ".emptyArr", ".obj", ".emptyObj", ".user", ".user.id", ".user.tags", ".obj.c",
        "1", "0", "-3", "2.5", "1e3", "\"a\"", "\"Shop\"", "``", "true", "false", "'x'", ".", "$", "(len .s)",
        "(index .nums 0)",
    ]

    static let functions = [
        "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "len", "index", "slice", "print", "println",
        "html", "js", "urlquery", "json", "printf \"%v|%d|%s\"",
    ]

    static let verbs = ["%v", "%d", "%s", "%q", "%x", "%X", "%t", "%f", "%.1f", "%e", "%g", "%5v", "%-4v|", "%03d",
                        "%c", "%8.2f", "%+v", "%.2s", "%U", "%o"]

    static let layouts = [
        "2006", "06", "01", "1", "Jan", "January", "02", "2", "_2", "15", "3", "03", "4", "04", "5", "05", "PM", "pm",
        "Mon", "Monday", "MST", "-0700", "-07:00", "-07", "Z0700", "Z07:00", "Z07", ".000", ".999", ",000000",
        "2006-01-02", "20060102_150405", "Jan _2 15:04:05", "Monday, 02-Jan-06 15:04:05 MST", "3:04PM", "Jab Mond",
        "2006-01-02T15:04:05.999999999Z07:00", "_2006", "0.05", "15:04:05.0000",
    ]

    static let timestamps = [
        "2024-03-05T07:08:09.123456Z", "2023-12-31T23:59:59+05:30", "1999-01-01T00:00:00-03:00",
        "2020-02-29T12:00:00.5Z", "1970-01-01T00:00:00Z", "2038-01-19T03:14:08.999999999+14:00",
    ]

    /// Cases built by combining functions with operands, printf verbs with operands, control structures with
    /// conditions, and time layouts with timestamps, from a fixed seed.
    static func generated(count: Int, seed: UInt64 = 0x5EED) -> [Case] {
        var random = SeededGenerator(state: seed)
        var cases: [Case] = []
        while cases.count < count {
            let a = operands.randomElement(using: &random)!
            let b = operands.randomElement(using: &random)!
            switch cases.count % 6 {
            case 0, 1:
                let function = functions.randomElement(using: &random)!
                cases.append(Case(template: "{{\(function) \(a) \(b)}}", object: event))
            case 2:
                let verb = verbs.randomElement(using: &random)!
                cases.append(Case(template: "{{printf \"\(verb)\" \(a)}}", object: event))
            case 3:
                let function = ["eq", "lt", "and", "or", "not"].randomElement(using: &random)!
                let argument = function == "not" ? a : "\(a) \(b)"
                cases.append(Case(template: "{{if \(function) \(argument)}}T{{else}}F{{end}}", object: event))
            case 4:
                let control = ["range", "with"].randomElement(using: &random)!
                cases.append(Case(template: "{{\(control) \(a)}}<{{.}}>{{else}}none{{end}}", object: event))
            default:
                let layout = layouts.randomElement(using: &random)!
                let timestamp = timestamps.randomElement(using: &random)!
                cases.append(Case(template: "{{._timestamp.Format \"\(layout)\"}}",
                                  object: #"{"_timestamp":"\#(timestamp)"}"#))
            }
        }
        return cases
    }
}
