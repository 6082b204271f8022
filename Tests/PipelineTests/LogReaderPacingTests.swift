import Foundation
import Loop
import Testing
@testable import Pipeline

/// How the log's readers gather records (`EventLog.waitForRecords(after:enough:linger:pause:)`) and how batch
/// delivery yields between chunks (`DeliveryRunner.rest`).
@Suite struct LogReaderPacingTests {
    @Test func aReaderLingersForMoreRecordsUnlessEnoughAreThere() async throws {
        let fixture = try PipelineFixture()
        let directory = fixture.directory + "/incoming"
        let loop = fixture.loop
        let (few, enough, waited) = try await fixture.harness.onLoop { () async throws -> (UInt64, UInt64, UInt64) in
            let log = try await EventLog.open(directory: directory, loop: loop)
            let pause = try Pause(loop: loop)
            _ = try await log.append([Array("{}".utf8)])
            var started = loop.now
            await log.waitForRecords(after: 0, enough: 3, linger: .milliseconds(400), pause: pause)
            let few = loop.now - started
            _ = try await log.append((0..<3).map { _ in Array("{}".utf8) })
            started = loop.now
            await log.waitForRecords(after: 0, enough: 3, linger: .milliseconds(400), pause: pause)
            let enough = loop.now - started
            // A record arriving while the reader waits ends the wait; the linger then gathers more.
            let waiter = Task(executorPreference: loop) { () async -> UInt64 in
                let started = loop.now
                await log.waitForRecords(after: 4, enough: 100, linger: .milliseconds(300), pause: pause)
                return loop.now - started
            }
            _ = try await log.append([Array("{}".utf8)])
            let waited = await waiter.value
            pause.close()
            await log.close()
            return (few, enough, waited)
        }
        #expect(few >= 390, "one record of three wanted: the reader lingers (\(few) ms)")
        #expect(enough < 300, "three records of three: no linger (\(enough) ms)")
        #expect(waited >= 290, "\(waited) ms")
        #expect(await fixture.finish() == 0)
    }

    @Test func batchDeliveryRestsAsLongAsEachChunkTookThroughHalfThePeriod() {
        let period = Duration.seconds(10)
        #expect(DeliveryRunner.rest(chunkStarted: 1_000, batchStarted: 1_000, now: 1_250, period: period) == 250)
        #expect(DeliveryRunner.rest(chunkStarted: 5_700, batchStarted: 1_000, now: 5_900, period: period) == 100, "never past half the period")
        #expect(DeliveryRunner.rest(chunkStarted: 1_000, batchStarted: 1_000, now: 4_000, period: period) == 2_000, "a chunk slowed by retries")
        #expect(DeliveryRunner.rest(chunkStarted: 5_900, batchStarted: 1_000, now: 6_000, period: period) == 0, "half the period gone: unpaced")
        #expect(DeliveryRunner.rest(chunkStarted: 30_000, batchStarted: 1_000, now: 30_100, period: period) == 0)
    }
}
