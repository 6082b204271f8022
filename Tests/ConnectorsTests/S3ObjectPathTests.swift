@testable import Connectors
import Templates
import Testing

@Suite struct S3ObjectPathTests {
    private let login = TopicName(eventType: "justice_event", namespace: "accelbyte", topic: "userLoggedIn")

    /// Milliseconds since 1970 of a UTC time, with some seconds and milliseconds that flooring must drop.
    private static func at(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int) -> Int64 {
        UTCCalendar.unixSeconds(year: year, month: month, day: day, hour: hour, minute: minute) * 1000 + 59_999
    }

    @Test func defaultTemplateFillsTopicRealmAndFlooredTime() {
        let key = S3ObjectPath().groupKey(topic: login, ingestedAt: Self.at(2026, 3, 5, 9, 37))
        #expect(key == "justice_event/realm/default/topics/userLoggedIn/year=2026/month=03/day=05/hour=09/minute=30/userLoggedIn.json")
    }

    @Test func partitionsFloorWithinTheHourUpToSixtyMinutesAndWithinTheDayAbove() {
        let cases: [(minutes: Int, hour: Int, minute: Int, expected: String)] = [
            (1, 10, 37, "10:37"), (15, 10, 0, "10:00"), (15, 10, 37, "10:30"), (15, 10, 59, "10:45"), (7, 10, 37, "10:35"),
            (60, 10, 59, "10:00"), (90, 2, 59, "01:30"), (120, 11, 59, "10:00"), (1440, 23, 59, "00:00"),
        ]
        for (minutes, hour, minute, expected) in cases {
            let path = S3ObjectPath(template: "{hh}:{mm}", partitionMinutes: minutes)
            #expect(path.groupKey(topic: login, ingestedAt: Self.at(2026, 1, 1, hour, minute)) == expected, "\(minutes) min at \(hour):\(minute)")
        }
    }

    @Test func customTemplateUsesEveryPlaceholder() {
        let path = S3ObjectPath(template: "/{realm}/{namespace}/{eventType}/{yyyy}{MM}{dd}/{topic}-{hh}{mm}", realm: "prod")
        #expect(path.groupKey(topic: login, ingestedAt: Self.at(2026, 12, 31, 23, 59))
            == "prod/accelbyte/justice_event/20261231/userLoggedIn-2345")
    }

    @Test func slashesInValuesAddNoPathLevel() {
        let topic = TopicName(eventType: "game_telemetry", namespace: "a/b", topic: "../c")
        let path = S3ObjectPath(template: "{namespace}/{topic}.json", realm: "x/y")
        #expect(path.groupKey(topic: topic, ingestedAt: 0) == "a_b/.._c.json")
        #expect(S3ObjectPath.objectKey(group: "t.json", node: "rack/1", sequence: 1) == "t-rack_1-000001.json")
    }

    @Test func objectKeyInsertsNodeAndSequenceBeforeJSON() {
        #expect(S3ObjectPath.objectKey(group: "a/b.json", node: "node-1", sequence: 42) == "a/b-node-1-000042.json")
        #expect(S3ObjectPath.objectKey(group: "a/b.json", node: "node-1", sequence: 0) == "a/b-node-1-000000.json")
        #expect(S3ObjectPath.objectKey(group: "a/b.json", node: "node-1", sequence: 1_234_567) == "a/b-node-1-1234567.json")
        #expect(S3ObjectPath.objectKey(group: "a/b.jsonl", node: "n", sequence: 7) == "a/b.jsonl-n-000007.json")
        #expect(S3ObjectPath.objectKey(group: "a/b", node: "n", sequence: 7) == "a/b-n-000007.json")
    }

    @Test func unknownPlaceholderIsNamed() {
        #expect(S3ObjectPath.unknownPlaceholder(in: S3ObjectPath.defaultTemplate) == nil)
        #expect(S3ObjectPath.unknownPlaceholder(in: "{topic}/{year}/{month}.json") == "year")
        #expect(S3ObjectPath.unknownPlaceholder(in: "{topic}/{}") == "")
        // A brace that never closes is text.
        #expect(S3ObjectPath.unknownPlaceholder(in: "{topic}/{yyyy") == nil)
    }
}
