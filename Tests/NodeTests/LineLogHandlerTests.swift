import Foundation
import Testing
@testable import Node

@Suite struct LineLogHandlerTests {
    @Test func timestampIsRFC3339UTCWithMilliseconds() throws {
        let stamp = LineLogHandler.timestamp()
        #expect(stamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil, "\(stamp)")
        let parsed = try #require(ISO8601DateFormatter.withFractionalSeconds.date(from: stamp))
        #expect(abs(parsed.timeIntervalSinceNow) < 5)
    }
}

extension ISO8601DateFormatter {
    fileprivate static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
