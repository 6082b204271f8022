/// The proleptic Gregorian calendar in UTC, for code outside templates that needs civil dates (cron schedules),
/// on the same conversions `GoTime` uses.
public enum UTCCalendar {
    public struct Fields: Sendable, Equatable {
        public var year: Int, month: Int, day: Int, hour: Int, minute: Int
        /// 0 is Sunday.
        public var weekday: Int
    }

    public static func fields(unixSeconds: Int64) -> Fields {
        let civil = GoTime(unixSeconds: unixSeconds, nanosecond: 0, offset: 0, zoneName: "UTC").civil
        return Fields(year: civil.year, month: civil.month, day: civil.day, hour: civil.hour, minute: civil.minute, weekday: civil.weekday)
    }

    public static func unixSeconds(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0) -> Int64 {
        Int64(GoTime.days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60)
    }

    public static func daysIn(month: Int, year: Int) -> Int { GoTime.daysIn(month: month, year: year) }
}
