extension GoTime: CustomStringConvertible {
    /// Go's `Time.String`.
    var description: String { format(Self.stringLayout) }

    /// The layout elements of Go's `time` package (`nextStdChunk`), in Go 1.19's set.
    private enum Element {
        case longMonth, month, numMonth, zeroMonth, longWeekDay, weekDay, day, underDay, zeroDay
        case hour, hour12, zeroHour12, minute, zeroMinute, second, zeroSecond, longYear, year, pm, lowerPM, zone
        case isoZone(colon: Bool, seconds: Bool, short: Bool), numZone(colon: Bool, seconds: Bool, short: Bool)
        case fraction(digits: Int, trim: Bool, separator: UInt8)
    }

    /// Formats the time with a Go reference-time layout ("Mon Jan 2 15:04:05 MST 2006"), exactly as `Time.Format`.
    func format(_ layout: String) -> String {
        let c = civil
        var out: [UInt8] = []
        var rest = Array(layout.utf8)[...]
        while !rest.isEmpty {
            let (prefix, element, suffix) = Self.nextElement(rest)
            out.append(contentsOf: prefix)
            rest = suffix
            guard let element else { break }
            append(element, civil: c, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func appendInt(_ value: Int, width: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // Digits written in place: going through `String(value)` cost two allocations a number, and every
        // ingested event's `_timestamp` writes seven numbers.
        var magnitude = value.magnitude
        var count = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(width, count)))
        var index = out.count - 1
        repeat {
            out[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude > 0
    }

    private func append(_ element: Element, civil c: Civil, to out: inout [UInt8]) {
        switch element {
        case .longMonth: out.append(contentsOf: Self.monthNames[c.month - 1].utf8)
        case .month: out.append(contentsOf: Self.monthNames[c.month - 1].utf8.prefix(3))
        case .numMonth: Self.appendInt(c.month, width: 0, to: &out)
        case .zeroMonth: Self.appendInt(c.month, width: 2, to: &out)
        case .longWeekDay: out.append(contentsOf: Self.dayNames[c.weekday].utf8)
        case .weekDay: out.append(contentsOf: Self.dayNames[c.weekday].utf8.prefix(3))
        case .day: Self.appendInt(c.day, width: 0, to: &out)
        case .underDay:
            if c.day < 10 { out.append(UInt8(ascii: " ")) }
            Self.appendInt(c.day, width: 0, to: &out)
        case .zeroDay: Self.appendInt(c.day, width: 2, to: &out)
        case .hour: Self.appendInt(c.hour, width: 2, to: &out)
        case .hour12, .zeroHour12:
            let hour = c.hour % 12 == 0 ? 12 : c.hour % 12
            Self.appendInt(hour, width: { if case .zeroHour12 = element { 2 } else { 0 } }(), to: &out)
        case .minute: Self.appendInt(c.minute, width: 0, to: &out)
        case .zeroMinute: Self.appendInt(c.minute, width: 2, to: &out)
        case .second: Self.appendInt(c.second, width: 0, to: &out)
        case .zeroSecond: Self.appendInt(c.second, width: 2, to: &out)
        case .longYear: Self.appendInt(c.year, width: 4, to: &out)
        case .year: Self.appendInt(c.year % 100, width: 2, to: &out)
        case .pm: out.append(contentsOf: (c.hour >= 12 ? "PM" : "AM").utf8)
        case .lowerPM: out.append(contentsOf: (c.hour >= 12 ? "pm" : "am").utf8)
        case .zone:
            if !zoneName.isEmpty {
                out.append(contentsOf: zoneName.utf8)
            } else {
                appendOffset(colon: false, seconds: false, short: false, to: &out)
            }
        case .isoZone(let colon, let seconds, let short):
            // Go's "Z" layouts print a zero offset as the letter Z (ISO 8601).
            if offset == 0 {
                out.append(UInt8(ascii: "Z"))
            } else {
                appendOffset(colon: colon, seconds: seconds, short: short, to: &out)
            }
        case .numZone(let colon, let seconds, let short):
            appendOffset(colon: colon, seconds: seconds, short: short, to: &out)
        case .fraction(let digits, let trim, let separator):
            var buffer = Array(String(nanosecond).utf8)
            buffer.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: 9 - buffer.count), at: 0)
            var count = min(digits, 9)
            if trim {
                while count > 0, buffer[count - 1] == UInt8(ascii: "0") { count -= 1 }
                if count == 0 { return }
            }
            out.append(separator)
            out.append(contentsOf: buffer[..<count])
        }
    }

    private func appendOffset(colon: Bool, seconds: Bool, short: Bool, to out: inout [UInt8]) {
        var zone = offset / 60
        var absolute = offset
        if zone < 0 {
            out.append(UInt8(ascii: "-"))
            zone = -zone
            absolute = -absolute
        } else {
            out.append(UInt8(ascii: "+"))
        }
        Self.appendInt(zone / 60, width: 2, to: &out)
        if colon { out.append(UInt8(ascii: ":")) }
        if !short { Self.appendInt(zone % 60, width: 2, to: &out) }
        if seconds {
            if colon { out.append(UInt8(ascii: ":")) }
            Self.appendInt(absolute % 60, width: 2, to: &out)
        }
    }

    /// Go's `nextStdChunk`: the text before the first layout element, the element, and the rest.
    private static func nextElement(_ layout: ArraySlice<UInt8>) -> (ArraySlice<UInt8>, Element?, ArraySlice<UInt8>) {
        let s = layout
        let base = s.startIndex
        func has(_ at: Int, _ text: String) -> Bool {
            let bytes = Array(text.utf8)
            guard at + bytes.count <= s.endIndex else { return false }
            return Array(s[at..<at + bytes.count]) == bytes
        }
        func startsWithLower(_ at: Int) -> Bool {
            at < s.endIndex && (0x61...0x7A).contains(s[at])
        }
        func split(_ at: Int, _ length: Int, _ element: Element) -> (ArraySlice<UInt8>, Element?, ArraySlice<UInt8>) {
            (s[base..<at], element, s[(at + length)...])
        }
        var i = base
        while i < s.endIndex {
            switch s[i] {
            case UInt8(ascii: "J"):
                if has(i, "Jan") {
                    if has(i, "January") { return split(i, 7, .longMonth) }
                    if !startsWithLower(i + 3) { return split(i, 3, .month) }
                }
            case UInt8(ascii: "M"):
                if has(i, "Mon") {
                    if has(i, "Monday") { return split(i, 6, .longWeekDay) }
                    if !startsWithLower(i + 3) { return split(i, 3, .weekDay) }
                }
                if has(i, "MST") { return split(i, 3, .zone) }
            case UInt8(ascii: "0"):
                if i + 1 < s.endIndex, (UInt8(ascii: "1")...UInt8(ascii: "6")).contains(s[i + 1]) {
                    let elements: [Element] = [.zeroMonth, .zeroDay, .zeroHour12, .zeroMinute, .zeroSecond, .year]
                    return split(i, 2, elements[Int(s[i + 1] - UInt8(ascii: "1"))])
                }
            case UInt8(ascii: "1"):
                if has(i, "15") { return split(i, 2, .hour) }
                return split(i, 1, .numMonth)
            case UInt8(ascii: "2"):
                if has(i, "2006") { return split(i, 4, .longYear) }
                return split(i, 1, .day)
            case UInt8(ascii: "_"):
                if has(i, "_2") {
                    // "_2006" is a literal underscore followed by the long year.
                    if has(i + 1, "2006") { return (s[base...i], .longYear, s[(i + 5)...]) }
                    return split(i, 2, .underDay)
                }
            case UInt8(ascii: "3"): return split(i, 1, .hour12)
            case UInt8(ascii: "4"): return split(i, 1, .minute)
            case UInt8(ascii: "5"): return split(i, 1, .second)
            case UInt8(ascii: "P"):
                if has(i, "PM") { return split(i, 2, .pm) }
            case UInt8(ascii: "p"):
                if has(i, "pm") { return split(i, 2, .lowerPM) }
            case UInt8(ascii: "-"):
                if has(i, "-070000") { return split(i, 7, .numZone(colon: false, seconds: true, short: false)) }
                if has(i, "-07:00:00") { return split(i, 9, .numZone(colon: true, seconds: true, short: false)) }
                if has(i, "-0700") { return split(i, 5, .numZone(colon: false, seconds: false, short: false)) }
                if has(i, "-07:00") { return split(i, 6, .numZone(colon: true, seconds: false, short: false)) }
                if has(i, "-07") { return split(i, 3, .numZone(colon: false, seconds: false, short: true)) }
            case UInt8(ascii: "Z"):
                if has(i, "Z070000") { return split(i, 7, .isoZone(colon: false, seconds: true, short: false)) }
                if has(i, "Z07:00:00") { return split(i, 9, .isoZone(colon: true, seconds: true, short: false)) }
                if has(i, "Z0700") { return split(i, 5, .isoZone(colon: false, seconds: false, short: false)) }
                if has(i, "Z07:00") { return split(i, 6, .isoZone(colon: true, seconds: false, short: false)) }
                if has(i, "Z07") { return split(i, 3, .isoZone(colon: false, seconds: false, short: true)) }
            case UInt8(ascii: "."), UInt8(ascii: ","):
                if i + 1 < s.endIndex, s[i + 1] == UInt8(ascii: "0") || s[i + 1] == UInt8(ascii: "9") {
                    let digit = s[i + 1]
                    var j = i + 1
                    while j < s.endIndex, s[j] == digit { j += 1 }
                    // Only a run of digits that ends here is a fraction ("15:04:05.000"), not ".0001".
                    if !(j < s.endIndex && (0x30...0x39).contains(s[j])) {
                        let element = Element.fraction(digits: j - i - 1, trim: digit == UInt8(ascii: "9"),
                                                       separator: s[i])
                        return (s[base..<i], element, s[j...])
                    }
                }
            default:
                break
            }
            i += 1
        }
        return (s, nil, s[s.endIndex...])
    }
}
