import Templates

/// A 5-field cron expression (`minute hour day-of-month month day-of-week`, UTC) or one of the `@hourly`-style
/// descriptors, as Jitsu's sources and crontab(5) read them: `*`, values, ranges `a-b`, steps `*/n` and `a-b/n`,
/// lists with `,`, month and weekday names (`JAN`, `MON`), Sunday as 0 or 7. As in cron, when both day fields are
/// restricted a day matching either runs. Pure.
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    private let minutes: Set<Int>
    private let hours: Set<Int>
    private let days: Set<Int>
    private let months: Set<Int>
    private let weekdays: Set<Int>
    private let daysRestricted: Bool
    private let weekdaysRestricted: Bool

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    private static let descriptors = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    private static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    private static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let expanded = Self.descriptors[trimmed.lowercased()] ?? trimmed
        let fields = expanded.split(separator: " ").map(String.init)
        guard fields.count == 5 else {
            throw ParseError(description: "'\(text)' is not a cron expression: it needs 5 fields (minute hour day month weekday) or @hourly, @daily, @weekly, @monthly, @yearly")
        }
        description = trimmed
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [])
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [])
        days = try Self.field(fields[2], name: "day of month", range: 1...31, names: [])
        months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, firstName: 1)
        let weekdays = try Self.field(fields[4], name: "day of week", range: 0...7, names: Self.dayNames)
        self.weekdays = Set(weekdays.map { $0 % 7 })
        daysRestricted = fields[2] != "*" && fields[2] != "?"
        weekdaysRestricted = fields[4] != "*" && fields[4] != "?"
    }

    /// The values one field allows.
    private static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String], firstName: Int = 0) throws(ParseError) -> Set<Int> {
        func fail(_ reason: String) -> ParseError { ParseError(description: "\(name) '\(text)': \(reason)") }
        func value(_ part: Substring) throws(ParseError) -> Int {
            if let number = Int(part) {
                guard range.contains(number) else { throw fail("\(number) is outside \(range.lowerBound)-\(range.upperBound)") }
                return number
            }
            if let index = names.firstIndex(of: part.uppercased()) { return index + firstName }
            throw fail("'\(part)' is not a number\(names.isEmpty ? "" : " or a name")")
        }
        var values: Set<Int> = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2, !stepParts[0].isEmpty else { throw fail("'\(item)' is malformed") }
            var step = 1
            if stepParts.count == 2 {
                guard let parsed = Int(stepParts[1]), parsed >= 1 else { throw fail("the step '\(stepParts[1])' must be a positive number") }
                step = parsed
            }
            let span = stepParts[0]
            let lower: Int, upper: Int
            if span == "*" || span == "?" {
                (lower, upper) = (range.lowerBound, range.upperBound)
            } else if let dash = span.firstIndex(of: "-") {
                lower = try value(span[..<dash])
                upper = try value(span[span.index(after: dash)...])
                guard lower <= upper else { throw fail("the range \(span) runs backwards") }
            } else {
                lower = try value(span)
                // `a/n` means from a to the end in steps of n.
                upper = stepParts.count == 2 ? range.upperBound : lower
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values
    }

    /// The first time strictly after `unixSeconds` (UTC) that the schedule fires, at a whole minute; nil when it
    /// never does (`0 0 31 2 *`), found within eight years.
    public func next(after unixSeconds: Int64) -> Int64? {
        var time = (unixSeconds / 60 + 1) * 60
        let limit = unixSeconds + 8 * 366 * 86_400
        while time <= limit {
            let f = UTCCalendar.fields(unixSeconds: time)
            if !months.contains(f.month) {
                let (year, month) = f.month == 12 ? (f.year + 1, 1) : (f.year, f.month + 1)
                time = UTCCalendar.unixSeconds(year: year, month: month, day: 1)
            } else if !dayMatches(f) {
                time = UTCCalendar.unixSeconds(year: f.year, month: f.month, day: f.day) + 86_400
            } else if !hours.contains(f.hour) {
                time = UTCCalendar.unixSeconds(year: f.year, month: f.month, day: f.day, hour: f.hour) + 3600
            } else if !minutes.contains(f.minute) {
                time += 60
            } else {
                return time
            }
        }
        return nil
    }

    private func dayMatches(_ f: UTCCalendar.Fields) -> Bool {
        let day = days.contains(f.day)
        let weekday = weekdays.contains(f.weekday)
        if daysRestricted && weekdaysRestricted { return day || weekday }
        return day && weekday
    }
}
