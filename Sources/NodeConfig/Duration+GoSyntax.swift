extension Duration {
    /// Nanoseconds per unit of Go's `time.ParseDuration`, which Jitsu's configuration uses for every interval.
    private static let goUnits: [String: Int64] = [
        "ns": 1,
        "us": 1_000,
        "µs": 1_000, // U+00B5 MICRO SIGN, as Go accepts
        "μs": 1_000, // U+03BC GREEK SMALL LETTER MU, as Go accepts
        "ms": 1_000_000,
        "s": 1_000_000_000,
        "m": 60 * 1_000_000_000,
        "h": 3_600 * 1_000_000_000,
    ]

    /// Parses a Go duration such as `"500ms"`, `"10s"`, `"1m30s"` or `"1.5h"`, following `time.ParseDuration`:
    /// a sequence of decimal numbers, each with an optional fraction and a required unit (ns, us, µs, ms, s, m, h),
    /// or the bare `"0"`. Signs are not accepted because no interval in the configuration may be negative.
    /// Returns nil for any other text or when the total does not fit in 64-bit nanoseconds.
    init?(goSyntax text: String) {
        if text == "0" {
            self = .zero
            return
        }
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let whole = rest.prefix(while: { $0.isASCII && $0.isNumber })
            rest = rest.dropFirst(whole.count)
            var fraction: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix(while: { $0.isASCII && $0.isNumber })
                rest = rest.dropFirst(fraction.count)
            }
            let unitText = rest.prefix(while: { !($0.isASCII && ($0.isNumber || $0 == ".")) })
            rest = rest.dropFirst(unitText.count)
            guard !(whole.isEmpty && fraction.isEmpty),
                  let unit = Self.goUnits[String(unitText)],
                  let component = Self.nanoseconds(whole: whole, fraction: fraction, unit: unit)
            else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(component)
            guard !overflow else { return nil }
            total = sum
        }
        self = .nanoseconds(total)
    }

    /// `whole.fraction` units in nanoseconds, or nil on overflow. Digits of the fraction finer than a nanosecond are
    /// dropped, as Go does.
    private static func nanoseconds(whole: Substring, fraction: Substring, unit: Int64) -> Int64? {
        guard let wholeValue = whole.isEmpty ? 0 : Int64(whole) else { return nil }
        let (wholeNanos, overflow) = wholeValue.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        var fractionNanos: Int64 = 0
        var scale = unit
        for digit in fraction {
            scale /= 10
            guard scale > 0 else { break }
            fractionNanos += Int64(digit.wholeNumberValue!) * scale
        }
        let (sum, sumOverflow) = wholeNanos.addingReportingOverflow(fractionNanos)
        return sumOverflow ? nil : sum
    }
}
