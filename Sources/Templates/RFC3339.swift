import Foundation
import Synchronization

/// RFC 3339 timestamps for the data plane, on the same parser and calendar as templates' `_timestamp` (`GoTime`):
/// recognising them to type a column, reading them into seconds and nanoseconds, and writing `_timestamp` as Jitsu
/// does (`2026-11-23T10:00:00.123456789Z`: UTC, nine fraction digits).
public enum RFC3339 {
    /// Whether `text` is a date-time Go's RFC 3339 parser accepts, or the same with a space for the `T`.
    public static func isTimestamp(_ text: String) -> Bool {
        parse(text) != nil
    }

    /// `isTimestamp` of the string whose UTF-8 is `bytes`.
    public static func isTimestamp(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count >= 20 && GoTime.parseRFC3339(bytes: bytes, spaceSeparator: true) != nil
    }

    /// Seconds since 1970 (UTC) and nanoseconds, or nil when `text` is not such a date-time.
    public static func parse(_ text: String) -> (seconds: Int64, nanoseconds: Int32)? {
        // Nothing shorter is a date-time, and the length check spares the parser most strings.
        guard text.utf8.count >= 20, let time = GoTime.parseRFC3339(text, spaceSeparator: true) else { return nil }
        return (time.unixSeconds, Int32(time.nanosecond))
    }

    /// `2026-11-23T10:00:00.123456789Z`: always UTC, always nine fraction digits. Digits by hand, since every
    /// request writes one and Go's layout interpreter or `String(format:)` showed in request profiles.
    public static func format(seconds: Int64, nanoseconds: Int32) -> String {
        let c = GoTime(unixSeconds: seconds, nanosecond: Int(nanoseconds), offset: 0, zoneName: "UTC").civil
        var out: [UInt8] = []
        out.reserveCapacity(30)
        GoTime.appendInt(c.year, width: 4, to: &out); out.append(45)
        GoTime.appendInt(c.month, width: 2, to: &out); out.append(45)
        GoTime.appendInt(c.day, width: 2, to: &out); out.append(84)
        GoTime.appendInt(c.hour, width: 2, to: &out); out.append(58)
        GoTime.appendInt(c.minute, width: 2, to: &out); out.append(58)
        GoTime.appendInt(c.second, width: 2, to: &out); out.append(46)
        GoTime.appendInt(Int(nanoseconds), width: 9, to: &out); out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    /// Now, as `format` writes it.
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let seconds = Int64(spec.tv_sec)
        // Every ingested event takes a timestamp, and nearly all of them share their second with the one before.
        let prefix = currentSecond.withLock { cached in
            if cached.seconds != seconds { cached = (seconds, Array(format(seconds: seconds, nanoseconds: 0).utf8.dropLast(10))) }
            return cached.prefix
        }
        return String(unsafeUninitializedCapacity: prefix.count + 10) { out in
            _ = out.initialize(fromContentsOf: prefix)
            var fraction = Int(spec.tv_nsec)
            for index in (prefix.count..<(prefix.count + 9)).reversed() {
                out[index] = UInt8(ascii: "0") + UInt8(fraction % 10)
                fraction /= 10
            }
            out[prefix.count + 9] = UInt8(ascii: "Z")
            return prefix.count + 10
        }
    }

    /// The last second `now` wrote, as text up to and with the fraction's point.
    private static let currentSecond = Mutex<(seconds: Int64, prefix: [UInt8])>((-1, []))
}
