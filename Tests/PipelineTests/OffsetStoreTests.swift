import Foundation
import Loop
import Testing
@testable import Pipeline

@Suite struct OffsetStoreTests {
    /// A reader commits after every read of a busy log: the file is written behind, at most once per
    /// `writeInterval` (plus the write under way), and the last commit lands.
    @Test func commitsAreWrittenBehindAtMostOncePerIntervalAndTheLastLands() async throws {
        let fixture = try PipelineFixture()
        let path = fixture.directory + "/offsets.json"
        let loop = fixture.loop
        let (writes, elapsed, durable) = try await fixture.harness.onLoop { () async throws -> (Int, Duration, [String: UInt64]) in
            let store = try await OffsetStore.open(path: path, loop: loop)
            var writes = 0
            store.onDurable = { _ in writes += 1 }
            let started = ContinuousClock.now
            for offset in 1...150 {
                store.commit(UInt64(offset), for: "pg")
                try await Task.sleep(for: .milliseconds(2))
            }
            let elapsed = ContinuousClock.now - started
            await store.flush()
            return (writes, elapsed, store.durable)
        }
        #expect(durable == ["pg": 150])
        #expect(writes >= 2 && writes <= Int(elapsed / OffsetStore.writeInterval) + 2, "\(writes) writes in \(elapsed)")
        let reopened = try await fixture.harness.onLoop { try await OffsetStore.open(path: path, loop: loop).offset(of: "pg") }
        #expect(reopened == 150)
    }
}
