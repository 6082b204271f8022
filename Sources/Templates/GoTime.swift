/// Go's `time.Time` for the `_timestamp` field: an instant with the fixed offset it was written with, so templates
/// can call `.Format` with Go's reference-time layouts ("2006-01-02 15:04:05") and get Go's text.
struct GoTime: Hashable, Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    let unixSeconds: Int64
    /// Nanoseconds within the second, 0..<1_000_000_000.
    let nanosecond: Int
    /// Offset from UTC in seconds, east positive.
    let offset: Int
    /// The zone abbreviation: "UTC" for a zero offset; empty for other fixed offsets, which Go prints as "+0200".
    let zoneName: String

    static let rfc3339Nano = "2006-01-02T15:04:05.999999999Z07:00"
    /// Go's `Time.String` layout.
    static let stringLayout = "2006-01-02 15:04:05.999999999 -0700 MST"

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                             "October", "November", "December"]
    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// The civil fields of the time at its own offset.
    struct Civil {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, weekday: Int, yearDay: Int
    }

    var civil: Civil {
        let local = unixSeconds + Int64(offset)
        let days = Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
        let secondsOfDay = Int(local - Int64(days) * 86_400)
        // Civil-from-days conversion by Howard Hinnant ("chrono-Compatible Low-Level Date Algorithms").
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let weekday = ((days % 7) + 11) % 7
        let yearDay = Self.daysBefore(month: month, year: year) + day
        return Civil(year: year, month: month, day: day, hour: secondsOfDay / 3600, minute: secondsOfDay / 60 % 60,
                     second: secondsOfDay % 60, weekday: weekday, yearDay: yearDay)
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    private static func daysBefore(month: Int, year: Int) -> Int {
        (1..<month).reduce(0) { $0 + daysIn(month: $1, year: year) }
    }

    /// Days from 1970-01-01 to a civil date (inverse of `civil`).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Parses the RFC 3339 text Go's `time.Parse(time.RFC3339Nano, s)` accepts: `2006-01-02T15:04:05Z`, with an
    /// optional fraction of any length and `Z` or a `±hh:mm` offset. A zero offset resolves to UTC.
    /// Returns nil for anything else, which leaves `_timestamp` a string. With `spaceSeparator`, a space may stand
    /// for the `T` (the data plane's column typing, as PostgreSQL reads such text as a timestamp too).
    static func parseRFC3339(_ text: String, spaceSeparator: Bool = false) -> GoTime? {
        // In place: the data plane types every string value of every row through here, so it must not allocate.
        var text = text
        return text.withUTF8 { parseRFC3339(bytes: $0, spaceSeparator: spaceSeparator) }
    }

    static func parseRFC3339(bytes b: UnsafeBufferPointer<UInt8>, spaceSeparator: Bool) -> GoTime? {
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var value = 0
            for byte in UnsafeBufferPointer(rebasing: b[from..<from + count]) {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func isByte(_ at: Int, _ char: Unicode.Scalar) -> Bool { at < b.count && b[at] == UInt8(ascii: char) }
        guard let year = number(0, 4), isByte(4, "-"), let month = number(5, 2), isByte(7, "-"),
              let day = number(8, 2), isByte(10, "T") || (spaceSeparator && isByte(10, " ")), let hour = number(11, 2), isByte(13, ":"),
              let minute = number(14, 2), isByte(16, ":"), let second = number(17, 2)
        else { return nil }
        var i = 19
        var nanosecond = 0
        if isByte(i, ".") || isByte(i, ",") {
            i += 1
            var digits = 0
            while i < b.count, (0x30...0x39).contains(b[i]) {
                if digits < 9 { nanosecond = nanosecond * 10 + Int(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 9) { nanosecond *= 10 }
        }
        var offset = 0
        if isByte(i, "Z") {
            i += 1
        } else if isByte(i, "+") || isByte(i, "-"), let hours = number(i + 1, 2), isByte(i + 3, ":"),
                  let minutes = number(i + 4, 2) {
            guard hours < 24, minutes < 60 else { return nil }
            offset = (hours * 3600 + minutes * 60) * (isByte(i, "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24,
              minute < 60, second < 60
        else { return nil }
        let local = Int64(days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return GoTime(unixSeconds: local - Int64(offset), nanosecond: nanosecond, offset: offset,
                      zoneName: offset == 0 ? "UTC" : "")
    }
}
