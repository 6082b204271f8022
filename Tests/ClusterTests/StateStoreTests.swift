import Foundation
import GRDB
import Loop
import Replication
import Testing
import TestSupport
@testable import Cluster

// GRDB has a Record class of its own.
private typealias Record = Replication.Record

@Suite struct StateStoreTests {
    @Test func writeThenLoadRoundTripsAndSurvivesReopening() async throws {
        let fixture = try StoreFixture()
        // A directory that does not exist yet: open creates it.
        let path = fixture.directory.appendingPathComponent("data/node1/state.sqlite").path
        let records = [
            record("connector/1", #"{"name":"pg"}"#, wall: 1_700_000_000_000, counter: 3, node: "node2"),
            record("connector/2", #"{"name":"redis","tags":["a","b"]}"#, wall: 1_700_000_000_001),
            .tombstone(key: "connector/3", version: version(wall: 1_700_000_000_002, counter: 7, node: "node3")),
        ]
        let metadata: [String: UInt64] = ["clock.wall": 1_700_000_000_002, "ids.sequence": 41, "huge": .max]
        let (first, bytes) = try await fixture.harness.onLoop {
            let store = try await StateStore.open(path: path, loop: fixture.harness.loop)
            try await store.write(records)
            for (name, value) in metadata { try await store.setMetadata(name, value) }
            try await store.setMetadata("ids.sequence", 42)
            let loaded = try await store.load()
            let bytes = store.fileBytes
            try await store.closeAndWait()
            return (loaded, bytes)
        }
        var expectedMetadata = metadata
        expectedMetadata["ids.sequence"] = 42
        #expect(Set(first.records) == Set(records))
        #expect(first.metadata == expectedMetadata)
        #expect(bytes > 0)

        let second = try await fixture.harness.onLoop {
            let store = try await StateStore.open(path: path, loop: fixture.harness.loop)
            let loaded = try await store.load()
            try await store.closeAndWait()
            return loaded
        }
        #expect(Set(second.records) == Set(records))
        #expect(second.metadata == expectedMetadata)
        try await fixture.finish()
    }

    @Test func olderVersionNeverOverwritesNewerInEitherOrder() async throws {
        let fixture = try StoreFixture()
        // Each pair differs in one part of the version: wall, counter, then node.
        let pairs: [(older: Record, newer: Record)] = [
            (record("a", "1", wall: 100), record("a", "2", wall: 200)),
            (record("b", "1", wall: 100, counter: 1), record("b", "2", wall: 100, counter: 2)),
            (record("c", "1", wall: 100, node: "node1"), record("c", "2", wall: 100, node: "node2")),
            (record("d", "1", wall: 100), .tombstone(key: "d", version: version(wall: 101))),
            // "a" + combining acute accent is "á" to Swift, which sorts after "b", though its first UTF-8 byte
            // sorts before: the store must follow `Version`'s order, not the bytes.
            (record("e", "1", wall: 100, node: "b"), record("e", "2", wall: 100, node: "a\u{301}")),
        ]
        for pair in pairs { #expect(pair.older.version < pair.newer.version) }
        let stored = try await fixture.withStore { store in
            try await store.write(pairs.map(\.newer))
            try await store.write(pairs.map(\.older))
            // Under other keys, older first and in one call: the order inside a transaction must not matter either.
            try await store.write(pairs.map { renamed($0.older) } + pairs.map { renamed($0.newer) })
            return try await store.load().records
        }
        #expect(Set(stored) == Set(pairs.map(\.newer) + pairs.map { renamed($0.newer) }))
        try await fixture.finish()
    }

    @Test func concurrentWritesShareFewTransactions() async throws {
        let fixture = try StoreFixture()
        let writers = 2_000
        let (stored, transactions, elapsed) = try await fixture.withStore { store in
            let loop = store.loop
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<writers {
                    group.addTask(executorPreference: loop) {
                        try await store.write([record("key/\(index)", "{\"n\":\(index)}", wall: 1_000 + UInt64(index))])
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = start.duration(to: .now)
            return (try await store.load().records.count, store.transactionCount, elapsed)
        }
        print("StateStore: \(writers) concurrent single-record writes took \(elapsed) in \(transactions) transactions")
        #expect(stored == writers)
        #expect(transactions >= 1)
        #expect(transactions < 200)
        try await fixture.finish()
    }

    @Test func writesArrivingDuringACommitShareTheNextTransaction() async throws {
        let fixture = try StoreFixture()
        let late = 500
        let (stored, transactions) = try await fixture.withStore { store in
            let loop = store.loop
            let first = Task(executorPreference: loop) {
                try await store.write((0..<5_000).map { record("first/\($0)", "{}", wall: 1) })
            }
            while !store.isBusy { await Task.yield() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<late {
                    group.addTask(executorPreference: loop) { try await store.write([record("late/\(index)", "{}", wall: 2)]) }
                }
                try await group.waitForAll()
            }
            try await first.value
            return (try await store.load().records.count, store.transactionCount)
        }
        print("StateStore: \(late) writes queued behind a running transaction took \(transactions - 1) more transactions")
        #expect(stored == 5_000 + late)
        #expect(transactions < 50)
        try await fixture.finish()
    }

    @Test func deleteRemovesOnlyWhenTheVersionStillMatches() async throws {
        let fixture = try StoreFixture()
        let purged = Record.tombstone(key: "gone", version: version(wall: 10))
        let replaced = Record.tombstone(key: "rewritten", version: version(wall: 10))
        let rewrite = record("rewritten", "{}", wall: 20)
        let otherNode = Record.tombstone(key: "other", version: version(wall: 10, node: "node1"))
        let stored = try await fixture.withStore { store in
            try await store.write([purged, replaced, otherNode])
            try await store.write([rewrite])
            let sameTimeOtherNode = Record.tombstone(key: "other", version: version(wall: 10, node: "node9"))
            try await store.delete([purged, replaced, sameTimeOtherNode, .tombstone(key: "never", version: version(wall: 1))])
            return try await store.load().records
        }
        #expect(Set(stored) == [rewrite, otherNode])
        try await fixture.finish()
    }

    @Test func fileUsesWriteAheadLogWithFullSync() async throws {
        let fixture = try StoreFixture()
        let (journal, synchronous) = try await fixture.withStore { store in
            let database = store.database
            return try await WorkQueue(loop: store.loop).run {
                try database.queue.read { db in
                    (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
                }
            }
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)  // FULL
        try await fixture.finish()
    }

    @Test func loopKeepsTurningWhileABigWriteCommits() async throws {
        let fixture = try StoreFixture()
        let records = (0..<20_000).map { index in
            record("bulk/\(index)", "{\"index\":\(index),\"padding\":\"\(String(repeating: "x", count: 200))\"}",
                   wall: 1_000 + UInt64(index))
        }
        let (ticks, elapsed, stored) = try await fixture.withStore { store in
            let timer = try LoopTimer(loop: store.loop)
            var ticks = 0
            timer.start(after: 5, repeatEvery: 5) { ticks += 1 }
            let start = ContinuousClock.now
            try await store.write(records)
            let elapsed = start.duration(to: .now)
            let ticksDuringWrite = ticks
            timer.close()
            return (ticksDuringWrite, elapsed, try await store.load().records.count)
        }
        print("StateStore: one write of \(records.count) records took \(elapsed); a 5 ms timer ticked \(ticks) times meanwhile")
        #expect(stored == records.count)
        #expect(ticks >= 3)
        try await fixture.finish()
    }

    @Test func tenThousandRecordsInOneWrite() async throws {
        let fixture = try StoreFixture()
        let records = (0..<10_000).map { record("config/\($0)", "{\"id\":\($0),\"enabled\":true}", wall: 5_000) }
        let (elapsed, stored, bytes) = try await fixture.withStore { store in
            let start = ContinuousClock.now
            try await store.write(records)
            let elapsed = start.duration(to: .now)
            return (elapsed, try await store.load().records.count, store.fileBytes)
        }
        print("StateStore: one write of \(records.count) records took \(elapsed); db + wal now \(bytes) bytes")
        #expect(stored == records.count)
        try await fixture.finish()
    }

    @Test func failedTransactionFailsEveryCallInItAndLaterWritesSucceed() async throws {
        let fixture = try StoreFixture()
        let poison = record("poison", "{}", wall: 1)
        let good = record("good", "{}", wall: 1)
        let (poisonResult, goodResult, afterFailure, retried, transactions) = try await fixture.withStore { store in
            let database = store.database
            try await WorkQueue(loop: store.loop).run {
                try database.queue.write { db in
                    try db.execute(sql: """
                        CREATE TRIGGER poison BEFORE INSERT ON record WHEN NEW.key = 'poison'
                        BEGIN SELECT RAISE(ABORT, 'poisoned record'); END
                        """)
                }
            }
            // Both calls take the same path and the loop runs jobs in order, so both join the queue before the
            // committer task that the first one starts gets to take it: they share one transaction.
            let poisoned = Task(executorPreference: store.loop) { try await store.write([poison]) }
            let innocent = Task(executorPreference: store.loop) { try await store.write([good]) }
            let poisonResult = await poisoned.result
            let goodResult = await innocent.result
            let afterFailure = try await store.load().records
            try await store.write([good])
            return (poisonResult, goodResult, afterFailure, try await store.load().records, store.transactionCount)
        }
        #expect(throws: DatabaseError.self) { try poisonResult.get() }
        #expect(throws: DatabaseError.self) { try goodResult.get() }
        #expect(afterFailure.isEmpty)
        #expect(retried == [good])
        #expect(transactions == 1)
        try await fixture.finish()
    }

    @Test func closeFinishesQueuedWritesThenRefusesCalls() async throws {
        let fixture = try StoreFixture()
        let path = fixture.path
        let (queued, refusedWrite, refusedMetadata) = try await fixture.harness.onLoop {
            let store = try await StateStore.open(path: path, loop: fixture.harness.loop)
            let queued = Task(executorPreference: store.loop) { try await store.write([record("queued", "{}", wall: 1)]) }
            while !store.isBusy { await Task.yield() }
            store.close()
            store.close()
            let refusedWrite = await Task(executorPreference: store.loop) { try await store.write([record("late", "{}", wall: 2)]) }.result
            let refusedMetadata = await Task(executorPreference: store.loop) { try await store.setMetadata("late", 1) }.result
            let queuedResult = await queued.result
            try await store.closeAndWait()
            try await store.closeAndWait()
            return (queuedResult, refusedWrite, refusedMetadata)
        }
        #expect(throws: Never.self) { try queued.get() }
        #expect(throws: StateStoreError.self) { try refusedWrite.get() }
        #expect(throws: StateStoreError.self) { try refusedMetadata.get() }
        let stored = try await fixture.withStore { try await $0.load().records.map(\.key) }
        #expect(stored == ["queued"])
        try await fixture.finish()
    }

    @Test func wallTimeBeyondSQLiteFailsOnlyItsOwnCall() async throws {
        let fixture = try StoreFixture()
        let (rejected, stored) = try await fixture.withStore { store in
            let tooLate = record("far", "{}", wall: UInt64(Int64.max) + 1)
            let rejected = await Task(executorPreference: store.loop) { try await store.write([record("near", "{}", wall: 1), tooLate]) }.result
            try await store.write([record("ok", "{}", wall: UInt64(Int64.max))])
            return (rejected, try await store.load().records.map(\.key))
        }
        #expect(throws: StateStoreError.self) { try rejected.get() }
        #expect(stored == ["ok"])
        try await fixture.finish()
    }
}

/// A loop on its own thread and a temporary directory for one test's database, removed by `finish()`.
private struct StoreFixture {
    let harness: LoopHarness
    let directory: URL

    init() throws {
        harness = try LoopHarness()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rivulet-state-\(UUID().uuidString)")
    }

    var path: String { directory.appendingPathComponent("state.sqlite").path }

    /// Opens a store on the loop, runs `body` with it there, and closes it whatever `body` did.
    func withStore<T: Sendable>(_ body: @escaping @Sendable (StateStore) async throws -> T) async throws -> T {
        let path = self.path
        let loop = harness.loop
        return try await harness.onLoop {
            let store = try await StateStore.open(path: path, loop: loop)
            do {
                let result = try await body(store)
                try await store.closeAndWait()
                return result
            } catch {
                try? await store.closeAndWait()
                throw error
            }
        }
    }

    /// Stops the loop, expecting every handle closed, and removes the directory.
    func finish() async throws {
        #expect(await harness.finish() == 0)
        try FileManager.default.removeItem(at: directory)
    }
}

private func version(wall: UInt64, counter: UInt32 = 0, node: String = "node1") -> Version {
    Version(timestamp: HybridTimestamp(wallMilliseconds: wall, counter: counter), node: node)
}

private func renamed(_ record: Record) -> Record {
    var copy = record
    copy.key += "+"
    return copy
}

private func record(_ key: String, _ json: String, wall: UInt64, counter: UInt32 = 0, node: String = "node1") -> Record {
    Record(key: key, value: Array(json.utf8), version: version(wall: wall, counter: counter, node: node))
}
