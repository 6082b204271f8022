import Replication
import Testing

@Suite struct HybridClockTests {
    @Test func readingsGrowWithinOneMillisecondAndWhenTheWallClockStepsBack() {
        var clock = HybridClock()
        let first = clock.now(wall: 1_000)
        let second = clock.now(wall: 1_000)
        let afterStepBack = clock.now(wall: 900)
        #expect(first == HybridTimestamp(wallMilliseconds: 1_000, counter: 0))
        #expect(second == HybridTimestamp(wallMilliseconds: 1_000, counter: 1))
        #expect(afterStepBack == HybridTimestamp(wallMilliseconds: 1_000, counter: 2))
        let later = clock.now(wall: 1_001)
        #expect(later == HybridTimestamp(wallMilliseconds: 1_001, counter: 0))
    }

    @Test func aWriteAfterObservingARemoteRecordIsNewerThanIt() {
        var clock = HybridClock()
        let remote = HybridTimestamp(wallMilliseconds: 5_000, counter: 7)
        let moved = clock.observe(remote, wall: 1_000)
        let write = clock.now(wall: 1_000)
        #expect(moved)
        #expect(write > remote)
    }

    @Test func aTimestampFarAheadDoesNotDragTheClock() {
        var clock = HybridClock(maxDriftMilliseconds: 60_000)
        let dayAhead = HybridTimestamp(wallMilliseconds: 1_000 + 86_400_000, counter: 0)
        let moved = clock.observe(dayAhead, wall: 1_000)
        let write = clock.now(wall: 1_000)
        #expect(!moved)
        #expect(write == HybridTimestamp(wallMilliseconds: 1_000, counter: 0))
    }

    @Test func aWallClockNearTheEndOfTimeDoesNotWrapTheDriftCheck() {
        var clock = HybridClock()
        let moved = clock.observe(HybridTimestamp(wallMilliseconds: 5, counter: 0), wall: .max)
        #expect(moved)
        #expect(clock.last == HybridTimestamp(wallMilliseconds: 5, counter: 0))
    }

    @Test func theCounterBorrowsTheNextMillisecondInsteadOfWrapping() {
        var clock = HybridClock(last: HybridTimestamp(wallMilliseconds: 10, counter: .max))
        let next = clock.now(wall: 10)
        #expect(next == HybridTimestamp(wallMilliseconds: 11, counter: 0))
    }

    @Test func versionsWithEqualTimestampsAreOrderedByNode() {
        let at = HybridTimestamp(wallMilliseconds: 1, counter: 0)
        #expect(Version(timestamp: at, node: "node1") < Version(timestamp: at, node: "node2"))
        #expect(Version(timestamp: at, node: "node9") < Version(timestamp: HybridTimestamp(wallMilliseconds: 1, counter: 1), node: "node1"))
    }
}
