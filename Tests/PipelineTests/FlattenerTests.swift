import Foundation
import Testing
import Templates
@testable import Pipeline

@Suite struct FlattenerTests {
    @Test func nestedObjectsBecomeUnderscoredColumnsAndArraysTheirJSON() throws {
        let event = try JSONValue(parsing: #"{"user": {"id": 7, "Geo": {"city": "Oslo"}}, "tags": ["a", 1], "Event Type": "x"}"#)
        guard case .object(let object) = event else { Issue.record("not an object"); return }
        #expect(Flattener.flatten(object) == [
            "user_id": .number(7), "user_geo_city": .string("Oslo"), "tags": .string(#"["a",1]"#), "event_type": .string("x"),
        ])
    }

    @Test func columnKindsFollowTheFirstValue() {
        #expect(ColumnKind(of: .number(3)) == .integer)
        #expect(ColumnKind(of: .number(3.5)) == .float)
        #expect(ColumnKind(of: .bool(true)) == .boolean)
        #expect(ColumnKind(of: .string("2026-11-23T10:00:00.123456789Z")) == .timestamp)
        #expect(ColumnKind(of: .string("2026-11-23 10:00:00+02:00")) == .timestamp)
        #expect(ColumnKind(of: .string("2026-13-23T10:00:00Z")) == .text)
        #expect(ColumnKind(of: .string("hello")) == .text)
        #expect(ColumnKind(of: .null) == nil)
    }

    @Test func timestampsRoundTrip() throws {
        let parsed = try #require(RFC3339.parse("2026-11-23T10:00:00.5+01:00"))
        #expect(RFC3339.format(seconds: parsed.seconds, nanoseconds: parsed.nanoseconds) == "2026-11-23T09:00:00.500000000Z")
        #expect(RFC3339.parse("1969-12-31T23:59:59Z")?.seconds == -1)
    }

    @Test func nowIsTodaysTimeWithNineFractionDigitsEachCall() throws {
        // The clock `now` reads: time(2) reads a coarser one, up to a tick behind at a second's turn.
        func seconds() -> Int {
            var spec = timespec()
            clock_gettime(CLOCK_REALTIME, &spec)
            return spec.tv_sec
        }
        for _ in 0..<3 {
            let before = seconds()
            let text = RFC3339.now()
            let parsed = try #require(RFC3339.parse(text), "\(text)")
            #expect(text.utf8.count == 30 && text.hasSuffix("Z"), "\(text)")
            #expect(parsed.seconds >= before && parsed.seconds <= seconds(), "\(text)")
            #expect(RFC3339.format(seconds: parsed.seconds, nanoseconds: parsed.nanoseconds) == text)
            usleep(400_000)  // Crosses a second in some call: the cached date-time must follow.
        }
    }
}
