import Foundation
import Loop
import Synchronization
import Templates
import Testing
import TestSupport
@testable import Pipeline

/// A replay into PostgreSQL commits its chunks without waiting for the disk and makes them durable every
/// `DeliveryRunner.chunksPerDurablePoint` chunks: when the connection breaks in between, the replay fails, counts
/// as done only the lines it knows durable, and a replay resumed from there leaves every event in the table.
@Suite struct ReplayDurabilityTests {
    static let chunks = 40

    /// What the replay last reported, and whether the connection was already broken.
    final class Progress: Sendable {
        let state = Mutex<(counts: Replayer.Counts, broke: Bool)>((Replayer.Counts(), false))
    }

    /// A replayer of `file` into the fixture's destination, made on its loop.
    private func replayer(_ fixture: PostgresFixture, file: String, fallback: String, resumeAfter: Int) async throws -> Replayer {
        let destination = try fixture.destination()
        let loop = fixture.harness.loop
        let writer = try await fixture.harness.onLoop {
            BatchWriter(destination: destination, fallback: try FallbackWriter(loop: loop, directory: fallback, nodeName: "n1", destinationID: "pg",
                                                                               rotation: .seconds(300)), loop: loop)
        }
        var shaper = BatchShaper(tableNameTemplate: "events", templates: TemplateEvaluator(), accepts: { _ in true }, flattens: true, readsEvent: false)
        shaper.encoder = destination.encoder
        shaper.encodesEventText = destination.encodesEventText
        return Replayer(open: { try LineReader(path: file) }, format: .fallback, skipMalformed: false, resumeAfter: resumeAfter, shaper: shaper, writer: writer)
    }

    @Test func aReplayCutShortCountsTheLinesKnownDurableAndResumesFromThem() async throws {
        let fixture = try await PostgresFixture()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-replay-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let lines = Self.chunks * Replayer.chunkLines
        let file = directory + "/n1-errors-pg-2026-11-25T09-57-10.411.log"
        try (1...lines).map { #"{"event":{"eventn_ctx_event_id":"e\#($0)","n":\#($0)},"error":"refused"}"# }.joined(separator: "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        _ = try await fixture.query(#"CREATE SCHEMA "\#(fixture.schema)""#)

        // The connection breaks two chunks after the first durable point.
        let progress = Progress()
        let first = try await replayer(fixture, file: file, fallback: directory, resumeAfter: 0)
        let breakAfter = (DeliveryRunner.chunksPerDurablePoint + 2) * Replayer.chunkLines
        first.onProgress = { counts in
            let breakNow = progress.state.withLock { state in
                state.counts = counts
                guard !state.broke, counts.linesRead >= breakAfter else { return false }
                state.broke = true
                return true
            }
            guard breakNow else { return }
            Task {
                _ = try await fixture.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    + #"AND query LIKE '%"\#(fixture.schema)"%'"#)
            }
        }
        let outcome = try await fixture.harness.onLoop { () async -> Result<Replayer.Counts, ReplayError> in
            do throws(ReplayError) { return .success(try await first.run()) } catch { return .failure(error) }
        }
        guard case .failure(.destination(let reason)) = outcome else { Issue.record("the replay did not fail: \(outcome)"); return }
        #expect(reason.contains("durable"), "\(reason)")
        let done = progress.state.withLock { $0.counts.doneThroughLine }
        #expect(done == DeliveryRunner.chunksPerDurablePoint * Replayer.chunkLines)
        _ = try await fixture.harness.onLoop { await first.writer.close() }

        let resumed = try await replayer(fixture, file: file, fallback: directory, resumeAfter: done)
        let counts = try await fixture.harness.onLoop { () async throws -> Replayer.Counts in
            let counts = try await resumed.run()
            await resumed.writer.close()
            return counts
        }
        #expect(counts.replayed == lines - done && counts.doneThroughLine == lines)
        let stored = try await fixture.query(#"SELECT count(DISTINCT n), sum(CASE WHEN n <= \#(done) THEN 1 ELSE 0 END) FROM "\#(fixture.schema)".events"#)
        #expect(stored == [["\(lines)", "\(done)"]], "every event once at least, the durable part once")
        #expect(await fixture.finish() == 0)
    }
}
