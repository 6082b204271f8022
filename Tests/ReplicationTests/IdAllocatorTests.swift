import Replication
import Testing

/// Id allocation: ids only grow, lanes never collide, and ids stay exact in JSON.
@Suite struct IdAllocatorTests {
    private let january2026: UInt64 = 1_767_225_600_000

    @Test func idsGrowWhenTheClockRepeatsOrStepsBack() {
        var allocator = IdAllocator(lane: 5)
        var previous: UInt64 = 0
        for wall in [january2026, january2026, january2026 - 60_000, january2026 + 1, 0, january2026 + 1] {
            let id = allocator.next(wall: wall)
            #expect(id > previous)
            #expect(IdAllocator.lane(of: id) == 5)
            previous = id
        }
    }

    @Test func aBurstWithinOneMillisecondTakesConsecutiveSequences() {
        var allocator = IdAllocator(lane: 0)
        let first = allocator.next(wall: january2026)
        #expect(IdAllocator.sequence(of: first) == january2026 - IdAllocator.epochMilliseconds)
        for offset in 1...1_000 {
            let id = allocator.next(wall: january2026)
            #expect(IdAllocator.sequence(of: id) == IdAllocator.sequence(of: first) + UInt64(offset))
        }
        // The wall clock catches up with the burst only once it passes it.
        let caughtUp = allocator.next(wall: january2026 + 500)
        #expect(IdAllocator.sequence(of: caughtUp) == allocator.lastSequence)
        #expect(allocator.lastSequence == IdAllocator.sequence(of: first) + 1_001)
    }

    @Test func aRestartWithThePersistedSequenceNeverReissues() {
        var first = IdAllocator(lane: 9)
        let last = (0..<10).map { _ in first.next(wall: january2026 + 10_000) }.max()!
        var restarted = IdAllocator(lane: 9, lastSequence: first.lastSequence)
        let afterRestart = restarted.next(wall: january2026)
        #expect(afterRestart > last)
    }

    @Test func differentLanesNeverCollide() {
        var random = SeededGenerator(seed: 60)
        var one = IdAllocator(lane: 1)
        var two = IdAllocator(lane: 2)
        var seen: Set<UInt64> = []
        var issued = 0
        var wall = january2026
        for _ in 0..<20_000 {
            wall = wall - 5 + UInt64(random.below(8))
            let id = random.below(2) == 0 ? one.next(wall: wall) : two.next(wall: wall)
            seen.insert(id)
            issued += 1
        }
        #expect(seen.count == issued)
    }

    @Test func idsStayBelowTwoToThe53rdForCenturies() {
        let year2300: UInt64 = 10_413_792_000_000
        var allocator = IdAllocator(lane: UInt16(IdAllocator.laneCount - 1))
        let id = allocator.next(wall: year2300)
        #expect(id < 1 << 53)
        let lastMillisecond = IdAllocator.epochMilliseconds + (1 << 43) - 1
        var lastLane = IdAllocator(lane: 1_023)
        let largest = lastLane.next(wall: lastMillisecond)
        #expect(largest == (1 << 53) - 1)
    }

    @Test func laneRoundTripsAndDefaultLanesAreStable() {
        for lane in 0..<UInt16(IdAllocator.laneCount) {
            var allocator = IdAllocator(lane: lane, lastSequence: 12_345)
            let id = allocator.next(wall: january2026)
            #expect(IdAllocator.lane(of: id) == lane)
        }
        #expect(IdAllocator.defaultLane(for: "node1") == 918)
        #expect(IdAllocator.defaultLane(for: "node1") != IdAllocator.defaultLane(for: "node2"))
    }
}
