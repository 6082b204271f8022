@testable import Connectors
import Testing

struct TopicRecordTests {
    @Test func roundTripsTimeAndEvent() throws {
        for time: Int64 in [0, 1_763_900_000_123, -1, .max] {
            let json = Array(#"{"EventName":"login"}"#.utf8)
            let decoded = try #require(TopicRecord.decode(TopicRecord.encode(ingestedAt: time, json: json)))
            #expect(decoded.ingestedAt == time)
            #expect(Array(decoded.json) == json)
        }
        #expect(TopicRecord.decode([1, 2, 3]) == nil)
    }
}
