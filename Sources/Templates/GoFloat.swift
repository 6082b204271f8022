/// Go's text forms of a `float64`: `%v` (shortest `%g`, exponent form from 1e6 and below 1e-4, so an event's
/// `123456789` prints as `1.23456789e+08` in Go templates) and `encoding/json`'s
/// (plain decimals between 1e-6 and 1e21). Both start from the shortest digits that round-trip, which Swift's own
/// `description` also produces, so the digits come from there and only the layout is Go's.
public enum GoFloat {
    /// The shortest round-trip decimal digits of `|value|` and the position of the decimal point: value = 0.DIGITS × 10^point.
    static func shortestDigits(_ value: Double) -> (digits: [UInt8], point: Int) {
        let text = value.magnitude.description
        guard value != 0 else { return ([], 0) }
        let parts = text.split(separator: "e")
        let exponent = parts.count > 1 ? Int(parts[1])! : 0
        let mantissa = Array(parts[0].utf8)
        let dot = mantissa.firstIndex(of: UInt8(ascii: ".")) ?? mantissa.count
        var digits = mantissa.filter { $0 != UInt8(ascii: ".") }
        var point = dot + exponent
        while let first = digits.first, first == UInt8(ascii: "0") {
            digits.removeFirst()
            point -= 1
        }
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, point)
    }

    /// Go's `fmtE`: d.ddd with `precision` fraction digits and an exponent of at least two digits.
    static func exponential(_ digits: [UInt8], point: Int, precision: Int) -> String {
        var out: [UInt8] = [digits.first ?? UInt8(ascii: "0")]
        if precision > 0 {
            out.append(UInt8(ascii: "."))
            var i = 1
            while i < min(digits.count, precision + 1) {
                out.append(digits[i])
                i += 1
            }
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: precision + 1 - i))
        }
        let exponent = digits.isEmpty ? 0 : point - 1
        out.append(UInt8(ascii: "e"))
        out.append(UInt8(ascii: exponent < 0 ? "-" : "+"))
        let magnitude = String(abs(exponent))
        if magnitude.count < 2 { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: magnitude.utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// Go's `fmtF`: the integer part and `precision` fraction digits.
    static func fixed(_ digits: [UInt8], point: Int, precision: Int) -> String {
        var out: [UInt8] = []
        if point > 0 {
            let integerDigits = min(digits.count, point)
            out.append(contentsOf: digits[..<integerDigits])
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: point - integerDigits))
        } else {
            out.append(UInt8(ascii: "0"))
        }
        if precision > 0 {
            out.append(UInt8(ascii: "."))
            for i in 1...precision {
                let j = point + i - 1
                out.append(j >= 0 && j < digits.count ? digits[j] : UInt8(ascii: "0"))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func sign(_ value: Double) -> String {
        value.sign == .minus ? "-" : ""
    }

    /// Go's `%x` for floats (`strconv.FormatFloat(v, 'x', -1, 64)`): "0x1.8p+01" for 3.
    static func hexadecimal(_ value: Double) -> String {
        guard value != 0 else { return "0x0p+00" }
        var fraction = String(value.significandBitPattern, radix: 16)
        fraction = String(repeating: "0", count: 13 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        // Subnormals are normalised so the leading digit is 1, as Go prints them.
        var exponent = Int(value.exponent)
        if value.isSubnormal {
            let normal = value * 0x1p52
            fraction = String(normal.significandBitPattern, radix: 16)
            fraction = String(repeating: "0", count: 13 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            exponent = Int(normal.exponent) - 52
        }
        let magnitude = String(abs(exponent))
        return "0x1" + (fraction.isEmpty ? "" : "." + fraction) + "p" + (exponent < 0 ? "-" : "+")
            + (magnitude.count < 2 ? "0" : "") + magnitude
    }

    /// Go's `%v` and shortest `%g` (`strconv.FormatFloat(v, 'g', -1, 64)`): exponent form below 1e-4 or from 1e6.
    static func shortest(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value.magnitude < 1e6, value.rounded(.towardZero) == value {
            // Whole numbers below 1e6 (counts, quantities, ids) print as integers.
            return value == 0 && value.sign == .minus ? "-0" : String(Int(value))
        }
        if value.magnitude >= 1e-4, value.magnitude < 1e6 {
            // Go's layout here is plain decimals, which Swift's description also writes (with the same shortest
            // digits); this skips splitting the digits out.
            let text = value.description
            if text.utf8.allSatisfy({ $0 != UInt8(ascii: "e") }) { return text }
        }
        let (digits, point) = shortestDigits(value)
        let exponent = point - 1
        if exponent < -4 || exponent >= 6 {
            return sign(value) + exponential(digits, point: point, precision: digits.count - 1)
        }
        return sign(value) + fixed(digits, point: point, precision: max(digits.count - point, 0))
    }

    /// The number as Go's `encoding/json` writes a `float64`.
    public static func json(_ value: Double) -> String {
        let (digits, point) = shortestDigits(value)
        let magnitude = value.magnitude
        guard magnitude != 0, magnitude < 1e-6 || magnitude >= 1e21 else {
            return sign(value) + fixed(digits, point: point, precision: max(digits.count - point, 0))
        }
        var text = exponential(digits, point: point, precision: digits.count - 1)
        // Go trims "e-07" to "e-7" in JSON.
        if let range = text.range(of: "e-0") { text.replaceSubrange(range, with: "e-") }
        return sign(value) + text
    }
}
