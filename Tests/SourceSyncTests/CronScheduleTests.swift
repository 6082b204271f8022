import Testing
import Templates
@testable import SourceSync

@Suite struct CronScheduleTests {
    /// 2026-11-23T10:07:30Z, a Monday.
    let monday = UTCCalendar.unixSeconds(year: 2026, month: 11, day: 23, hour: 10, minute: 7) + 30

    private func next(_ expression: String, after time: Int64? = nil) throws -> UTCCalendar.Fields? {
        try CronSchedule(parsing: expression).next(after: time ?? monday).map { UTCCalendar.fields(unixSeconds: $0) }
    }

    private func at(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int) -> UTCCalendar.Fields {
        UTCCalendar.fields(unixSeconds: UTCCalendar.unixSeconds(year: year, month: month, day: day, hour: hour, minute: minute))
    }

    @Test func stepsRangesListsAndDescriptorsFireWhenCronWould() throws {
        #expect(try next("*/5 * * * *") == at(2026, 11, 23, 10, 10))
        #expect(try next("* * * * *") == at(2026, 11, 23, 10, 8))
        #expect(try next("0 * * * *") == at(2026, 11, 23, 11, 0))
        #expect(try next("@hourly") == at(2026, 11, 23, 11, 0))
        #expect(try next("@daily") == at(2026, 11, 24, 0, 0))
        #expect(try next("@weekly") == at(2026, 11, 29, 0, 0))  // Sunday
        #expect(try next("@monthly") == at(2026, 12, 1, 0, 0))
        #expect(try next("@yearly") == at(2027, 1, 1, 0, 0))
        #expect(try next("15,45 9-17 * * MON-FRI") == at(2026, 11, 23, 10, 15))
        #expect(try next("30 8 * * sat,sun") == at(2026, 11, 28, 8, 30))
        #expect(try next("0 0 * * 7") == at(2026, 11, 29, 0, 0))
        #expect(try next("0 12 29 feb *") == at(2028, 2, 29, 12, 0))
        #expect(try next("10-20/5 * * * *") == at(2026, 11, 23, 10, 10))
        #expect(try next("50/5 * * * *") == at(2026, 11, 23, 10, 50))
        // Both day fields restricted: either one matching is enough (the 1st, or any Friday).
        #expect(try next("0 0 1 * FRI") == at(2026, 11, 27, 0, 0))
        // Strictly after: a time on the schedule gives the next one.
        #expect(try next("*/5 * * * *", after: UTCCalendar.unixSeconds(year: 2026, month: 11, day: 23, hour: 10, minute: 10)) == at(2026, 11, 23, 10, 15))
        #expect(try next("0 0 31 2 *") == nil)
    }

    @Test func badExpressionsSayWhatIsWrong() {
        for (text, words) in [("* * * *", "5 fields"), ("60 * * * *", "minute"), ("* 24 * * *", "hour"), ("* * 0 * *", "day of month"),
                              ("* * * 13 *", "month"), ("* * * * 8", "day of week"), ("*/0 * * * *", "step"), ("5-1 * * * *", "backwards"),
                              ("a * * * *", "not a number"), ("@often", "5 fields"), (",1 * * * *", "malformed")] {
            do {
                _ = try CronSchedule(parsing: text)
                Issue.record("'\(text)' was accepted")
            } catch {
                #expect(error.description.contains(words), "\(text): \(error)")
            }
        }
    }
}
