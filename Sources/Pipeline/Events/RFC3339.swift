import Foundation

/// RFC 3339 timestamps as Jitsu writes `_timestamp` (`2026-11-23T10:00:00.123456789Z`): recognising them, making
/// them, and reading them into whole seconds plus nanoseconds.
public enum RFC3339 {
    /// Whether `text` is a full RFC 3339 date-time (`T` or space between date and time, fraction optional, `Z` or an
    /// offset), checked byte by byte because every string value of every event goes through here.
    public static func isTimestamp(_ text: String) -> Bool {
        parse(text) != nil
    }

    /// Seconds since 1970 (UTC) and nanoseconds, or nil when `text` is not a date-time.
    public static func parse(_ text: String) -> (seconds: Int64, nanoseconds: Int32)? {
        guard text.utf8.count >= 20, text.utf8.count <= 40 else { return nil }
        // In place: every string value of every row comes here, so it must not allocate.
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    private static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> (seconds: Int64, nanoseconds: Int32)? {
        func digits(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for i in start..<(start + count) {
                guard i < b.count, b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45, let day = digits(8, 2),
              b[10] == 84 || b[10] == 116 || b[10] == 32, let hour = digits(11, 2), b[13] == 58,
              let minute = digits(14, 2), b[16] == 58, let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var index = 19
        var nanos = 0
        if index < b.count, b[index] == 46 {
            index += 1
            var scale = 100_000_000
            let start = index
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                nanos += Int(b[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start, index - start <= 9 else { return nil }
        }
        guard index < b.count else { return nil }
        var offset = 0
        if b[index] == 90 || b[index] == 122 {
            index += 1
        } else if b[index] == 43 || b[index] == 45 {
            guard let hours = digits(index + 1, 2), index + 3 < b.count, b[index + 3] == 58,
                  let minutes = digits(index + 4, 2) else { return nil }
            offset = (hours * 60 + minutes) * 60 * (b[index] == 45 ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        return (seconds, Int32(nanos))
    }

    /// `2026-11-23T10:00:00.123456789Z`: the form Jitsu gives `_timestamp`, always UTC with nine fraction digits.
    public static func format(seconds: Int64, nanoseconds: Int32) -> String {
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let rest = Int(seconds - Int64(days) * 86_400)
        let (year, month, day) = civilFromDays(days)
        // Digits by hand: String(format:) went through Foundation's formatter and showed in request profiles.
        var out: [UInt8] = []
        out.reserveCapacity(30)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(48 + value / divisor % 10))
                divisor /= 10
            }
        }
        digits(year, 4); out.append(45); digits(month, 2); out.append(45); digits(day, 2); out.append(84)
        digits(rest / 3600, 2); out.append(58); digits(rest / 60 % 60, 2); out.append(58); digits(rest % 60, 2)
        out.append(46); digits(Int(nanoseconds), 9); out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    /// Now, as `format` writes it.
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return format(seconds: Int64(spec.tv_sec), nanoseconds: Int32(spec.tv_nsec))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
