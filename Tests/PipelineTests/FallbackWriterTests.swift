import Foundation
import Testing
import Templates
@testable import Pipeline

@Suite struct FallbackWriterTests {
    @Test func linesAreJitsusShapeAndRotationNamesTheFileWithItsUTCTime() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/fallback"
        let loop = fixture.loop
        let rotated = try await fixture.harness.onLoop { () async throws -> String? in
            let writer = try FallbackWriter(loop: loop, directory: directory, nodeName: "node1", destinationID: "pg", rotation: .seconds(300))
            try await writer.write([
                .event(event: ["event_type": .string("a\nb")], error: "value too long", eventID: "e1"),
                .malformed(raw: "{nope", error: "not JSON"),
            ])
            let rotated = try await writer.rotate()
            #expect(try await writer.rotate() == nil, "an empty active file is not rotated")
            writer.close()
            return rotated
        }
        let path = try #require(rotated)
        let name = (path as NSString).lastPathComponent
        #expect(name.range(of: #"^node1-errors-pg-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$"#, options: .regularExpression) != nil, "\(name)")
        let lines = try PipelineFixture.lines(of: path)
        #expect(lines[0] == ["event": .object(["event_type": .string("a\nb")]), "error": .string("value too long"), "event_id": .string("e1")])
        #expect(lines[1] == ["malformed_event": .string("{nope"), "error": .string("not JSON")])
        #expect(!FileManager.default.fileExists(atPath: directory + "/node1-errors-pg.log"))
        #expect(await fixture.finish() == 0)
    }
}
